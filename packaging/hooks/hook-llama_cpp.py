"""llama-cpp-python loads llama.cpp (libllama, libggml*, libmtmd) with ctypes from ``llama_cpp/lib``.

PyInstaller cannot see ctypes loads, so the shared libraries are collected explicitly,
keeping their ``llama_cpp/lib`` location (the package looks for them next to itself).
The headers and CMake files installed beside them are not needed at run time.
"""

from PyInstaller.utils.hooks import collect_data_files, collect_dynamic_libs

binaries = collect_dynamic_libs("llama_cpp")
datas = collect_data_files("llama_cpp", excludes=["**/include/**", "**/cmake/**", "**/pkgconfig/**"])
# llama_cpp.server (FastAPI/uvicorn) and the llava CLI helpers are not part of Quire.
excludedimports = ["llama_cpp.server"]
