#ifndef REGIONPLOT_CCAIRO_SHIM_H
#define REGIONPLOT_CCAIRO_SHIM_H
#include <cairo.h>
#include <cairo-svg.h>
#include <cairo-pdf.h>
#include <zlib.h>
#endif
