"""Operating-system errors in Russian: the one place an OSError becomes words for a user.

Python renders `OSError.strerror` in the system's language, which on the machines this runs
on is English («No such file or directory») or, on Windows, whatever the locale says; the
errno is the same everywhere, so the Russian is chosen by it.
"""

from __future__ import annotations

import errno

TEXTS: dict[int, str] = {
    errno.ENOENT: "нет такого файла или папки",
    errno.EACCES: "нет доступа (не хватает прав или файл открыт другой программой)",
    errno.EPERM: "операция не разрешена",
    errno.ENOSPC: "на диске нет места",
    errno.EROFS: "диск только для чтения (флешка защищена от записи?)",
    errno.EEXIST: "файл уже существует",
    errno.EISDIR: "это папка, а не файл",
    errno.ENOTDIR: "часть пути — не папка",
    errno.ENOTEMPTY: "папка не пуста",
    errno.EBUSY: "файл занят другой программой",
    errno.EIO: "ошибка чтения или записи: носитель повреждён или извлечён",
    errno.ENAMETOOLONG: "слишком длинное имя файла",
    errno.EFBIG: "файл слишком большой для этого диска",
    errno.ENODEV: "устройство не найдено (флешка извлечена?)",
    errno.ENXIO: "устройство не найдено (флешка извлечена?)",
    errno.EINVAL: "недопустимое имя файла или значение",
    errno.EMFILE: "открыто слишком много файлов",
    errno.EXDEV: "нельзя перенести файл на другой диск",
    errno.ELOOP: "слишком много символических ссылок в пути",
    errno.ETIMEDOUT: "устройство не отвечает",
}


def os_error_text(exc: OSError) -> str:
    """Why an operation on a file failed, in Russian (without the file's name)."""
    if exc.errno in TEXTS:
        return TEXTS[exc.errno]
    if exc.errno is not None:
        return f"системная ошибка {errno.errorcode.get(exc.errno, exc.errno)}"
    return "системная ошибка"  # an OSError made by a library without an errno


def os_error_line(exc: OSError) -> str:
    """The reason with the file it is about, as a CLI or a notification shows it."""
    return f"{exc.filename}: {os_error_text(exc)}" if exc.filename else os_error_text(exc)
