@echo off
rem Take the disk carve planned on offline, so that Windows lets the VMs write its
rem sectors: Windows fails writes into a mounted volume's sectors (KB942448), drive
rem letter or not. Run it as administrator before starting the VMs; run
rem undo-prepare-windows.cmd to bring the disk back online.
rem Written by carve export. The disk is chosen by its serial number (below), not by
rem its PhysicalDrive number, which can change at boot; a disk holding C:, the boot
rem or system volume or a page file is refused before anything is changed.
setlocal EnableExtensions DisableDelayedExpansion
set "carve_serial=WD-WCC6Y1234567"
if not defined carve_system32 set "carve_system32=%SystemRoot%\System32"
set "carve_out=%TEMP%\carve-disk-%RANDOM%%RANDOM%.txt"
set "carve_dp=%TEMP%\carve-diskpart-%RANDOM%%RANDOM%.txt"
if exist "%carve_out%" del "%carve_out%"
"%carve_system32%\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "$ErrorActionPreference='Stop'; try { $s='WD-WCC6Y1234567'; $d=@(Get-Disk | Where-Object { ([string]$_.SerialNumber).Trim() -eq $s }); if ($d.Count -ne 1) { Write-Output ('carve: ' + $d.Count + ' disks have serial ' + $s + ', not one: nothing was changed (is the disk attached? Get-Disk lists the serials)'); exit 2 }; $n=$d[0].Number; $why=@(); if ($d[0].IsBoot) { $why+='the boot volume' }; if ($d[0].IsSystem) { $why+='the system volume' }; foreach ($l in @('C', $env:SystemDrive.Substring(0,1))) { $p=@(Get-Partition -DriveLetter $l -ErrorAction SilentlyContinue); if ($p.Count -and $p[0].DiskNumber -eq $n) { $why+=($l + ':') } }; foreach ($f in @(Get-CimInstance Win32_PageFileUsage -ErrorAction SilentlyContinue)) { $p=@(Get-Partition -DriveLetter ($f.Name.Substring(0,1)) -ErrorAction SilentlyContinue); if ($p.Count -and $p[0].DiskNumber -eq $n) { $why+=('the page file ' + $f.Name) } }; $why=@($why | Select-Object -Unique); if ($why.Count) { Write-Output ('carve: disk ' + $n + ' (serial ' + $s + ') holds ' + ($why -join ', ') + ': Windows cannot run without it, so it is left as it is'); exit 3 }; Set-Content -LiteralPath $env:carve_out -Value $n -Encoding Ascii; exit 0 } catch { Write-Output ('carve: cannot look up the disk: ' + $_); exit 4 }"
set carve_rc=%errorlevel%
if not "%carve_rc%"=="0" goto carve_refused
set "carve_disk="
if exist "%carve_out%" set /p carve_disk=<"%carve_out%"
if exist "%carve_out%" del "%carve_out%"
if not defined carve_disk goto carve_no_number
for /f "delims=0123456789" %%x in ("%carve_disk%") do goto carve_no_number
> "%carve_dp%" echo select disk %carve_disk%
>> "%carve_dp%" echo offline disk
>> "%carve_dp%" echo attributes disk clear readonly
"%carve_system32%\diskpart.exe" /s "%carve_dp%"
set carve_rc=%errorlevel%
del "%carve_dp%" >nul 2>&1
if not "%carve_rc%"=="0" goto carve_diskpart_failed
echo carve: disk %carve_disk% (serial %carve_serial%) is offline and writable: start the VMs
exit /b 0
:carve_refused
if exist "%carve_out%" del "%carve_out%"
echo carve: the disk with serial %carve_serial% was not changed (exit status %carve_rc%)
if "%carve_rc%"=="2" exit /b 2
if "%carve_rc%"=="3" exit /b 3
exit /b 4
:carve_no_number
echo carve: the lookup gave no disk number for serial %carve_serial%: nothing was changed
exit /b 5
:carve_diskpart_failed
echo carve: diskpart failed on disk %carve_disk% (exit status %carve_rc%): see its messages above
exit /b 6
