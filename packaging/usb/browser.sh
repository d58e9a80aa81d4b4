#!/bin/sh
# «Куратор» в браузере: программа открывает адрес http://127.0.0.1:8000 сама.
HERE=$(cd "$(dirname "$0")" && pwd)
exec "$HERE/curator.sh" serve --open "$@"
