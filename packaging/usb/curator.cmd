@echo off
rem «Куратор» из окружения, созданного install.cmd; аргументы передаются программе как есть.
chcp 65001 >nul
if exist "%~dp0venv\Scripts\curator.exe" goto run
echo Программа ещё не установлена: сначала запустите install.cmd
pause
exit /b 1

:run
"%~dp0venv\Scripts\curator.exe" %*
