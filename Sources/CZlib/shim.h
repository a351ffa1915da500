#ifndef REGIONPLOT_CZLIB_SHIM_H
#define REGIONPLOT_CZLIB_SHIM_H
#include <zlib.h>
#endif
