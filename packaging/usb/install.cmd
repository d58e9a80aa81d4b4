@echo off
rem «Куратор»: установка без интернета (Windows). Создаёт папку venv рядом с этим файлом и
rem ставит программу из папки wheels\windows. Запуск ещё раз обновляет программу.
rem Пути печатаются только вне скобок: скобка в имени папки закрыла бы блок.
chcp 65001 >nul
setlocal
set "HERE=%~dp0"
set "VENV=%HERE%venv"
set "WHEELS=%HERE%wheels\windows"
set "PYTHON=%CURATOR_PYTHON%"

if defined PYTHON goto have_python
for %%V in (3.13 3.12 3.11) do (
    if not defined PYTHON (
        py -%%V -c "" >nul 2>&1 && set "PYTHON=py -%%V"
    )
)
if defined PYTHON goto have_python
python -c "import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))" >nul 2>&1 && set "PYTHON=python"
if defined PYTHON goto have_python
echo Ошибка: не найден Python 3.11, 3.12 или 3.13.
echo Установите Python с флешки (файл python-3.12...-amd64.exe), отметив «Add python.exe to PATH»,
echo и запустите install.cmd ещё раз.
goto failed

:have_python
if exist "%WHEELS%\" goto have_wheels
echo Ошибка: нет папки %WHEELS%. Скопируйте папку curator с флешки целиком.
goto failed

:have_wheels
if exist "%VENV%\Scripts\python.exe" goto have_venv
echo Создаю окружение в %VENV% ...
%PYTHON% -m venv "%VENV%"
if errorlevel 1 goto venv_failed

:have_venv
echo Устанавливаю «Куратор» из %WHEELS% (без интернета) ...
"%VENV%\Scripts\python.exe" -m pip install --quiet --disable-pip-version-check --no-index --find-links "%WHEELS%" --upgrade curator-tui
if errorlevel 1 goto pip_failed
"%VENV%\Scripts\curator.exe" --version
echo Готово. Запуск: curator.cmd (в окне терминала) или browser.cmd (в браузере).
pause
exit /b 0

:venv_failed
echo Ошибка: не удалось создать окружение Python.
goto failed

:pip_failed
echo Ошибка: pip не смог установить программу из папки wheels\windows (см. сообщения выше).

:failed
echo Подробнее — в файле УСТАНОВКА.txt, раздел «Если не получилось».
pause
exit /b 1
