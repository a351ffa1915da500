#ifndef REGIONPLOT_COPENBLAS_SHIM_H
#define REGIONPLOT_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
