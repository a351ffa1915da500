#!/usr/bin/env python3
"""Times matplotlib drawing the XOR notebook's three analysis figures, for comparison with regionplot's
`timings.renderFigures` in report.json.

    regionplot --width 100 --out /tmp/w100 --save-nets /tmp/w100/nets
    python3 scripts/matplotlib_render_bench.py /tmp/w100/nets/a.safetensors /tmp/w100/nets/b.safetensors [REPEATS]

The plotting functions are the notebook's own (plotLinearRegions, plotSurfaces, plotWireframes), each figure
saved as PNG at 100 dpi with the Agg backend; the analysis inputs come from the notebook's own analysis code.
"""
import sys, time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from safetensors.numpy import load_file
from notebook_oracle import probe_points, get_regions, calc_unique_regions, NumpyLinearRegression
plt.rcParams['figure.figsize'] = (7, 7)

def load(path):
    d = load_file(path)
    names = sorted({k.rsplit('.', 1)[0] for k in d})
    return [(d[n + '.weight'], d[n + '.bias']) for n in names]

def plotLinearRegions(regionsSet, regions2Set, reg, reg2):
    fig = plt.figure(figsize=(10, 5))
    ax1 = fig.add_subplot(121)
    ax2 = fig.add_subplot(122, projection='3d')
    tmp = reg.predict(regionsSet)
    tmp2 = reg2.predict(regions2Set)
    fig.suptitle('Linear Regions')
    ax1.plot(regionsSet[:, 0], regionsSet[:,1], 'ob', label='1')
    ax1.plot(regions2Set[:, 0], regions2Set[:,1], 'or', label='2')
    ax1.plot(tmp[:, 0], tmp[:, 1], '.m', label='1 -> 2')
    ax1.plot(tmp2[:, 0], tmp2[:, 1], '.c', label='2 -> 1')
    ax1.legend(); ax1.set_xlabel('x'); ax1.set_ylabel('y')
    ax2.scatter(regionsSet[:, 0], regionsSet[:, 1], regionsSet[:, 2], color='b', label='1')
    ax2.scatter(tmp[:, 0], tmp[:, 1], tmp[:, 2], color='m', label='1 -> 2')
    ax2.scatter(tmp2[:, 0], tmp2[:, 1], tmp2[:, 2], color='c', label='2 -> 1')
    ax2.scatter(regions2Set[:, 0], regions2Set[:, 1], regions2Set[:, 2], color='r', label='2')
    ax2.legend(); ax2.set_xlabel('x'); ax2.set_ylabel('y'); ax2.set_zlabel('bias')
    return fig

def plotSurfaces(inputs, regions, regions2, reg, reg2):
    fig = plt.figure(figsize=(10, 10))
    axes = [fig.add_subplot(221 + k) for k in range(4)]
    biasInputs = np.concatenate((inputs, np.ones((inputs.shape[0], 1))), 1)
    for ax, coeffs, title in zip(axes, [regions, reg.predict(regions), reg2.predict(regions2), regions2],
                                 ['Network 1', 'Network 1 -> Network 2', 'Network 2 -> Network 1', 'Network 2']):
        outputs = np.sum(np.multiply(biasInputs, coeffs), axis=1)
        ax.plot(inputs[outputs>0, 0], inputs[outputs>0, 1], '.g', alpha=0.5)
        ax.plot(inputs[outputs<0, 0], inputs[outputs<0, 1], '.r', alpha=0.5)
        ax.set_title(title)
    return fig

def plotWireframes(inputs, regions, regions2, reg, reg2):
    fig = plt.figure(figsize=(10, 10))
    axes = [fig.add_subplot(221 + k, projection='3d') for k in range(4)]
    biasInputs = np.concatenate((inputs, np.ones((inputs.shape[0], 1))), 1)
    for ax, coeffs in zip(axes, [regions, reg.predict(regions), reg2.predict(regions2), regions2]):
        ax.scatter(inputs[:, 0], inputs[:, 1], np.sum(np.multiply(biasInputs, coeffs), axis=1), s=1)
    return fig

def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    inputs = probe_points().astype(np.float64)
    regions, _ = get_regions(a, inputs); regions2, _ = get_regions(b, inputs)
    reg = NumpyLinearRegression(); reg.fit(regions, regions2)
    reg2 = NumpyLinearRegression(); reg2.fit(regions2, regions)
    set1, set2 = calc_unique_regions(regions), calc_unique_regions(regions2)
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    print(f"matplotlib {matplotlib.__version__} (Agg), fastest of {repeats}; seconds to build, draw and save each "
          "PNG (wall, and the process's CPU time)")
    print("figure           wall s    cpu s")
    total = [0.0, 0.0]
    for name, make in [("linear-regions", lambda: plotLinearRegions(set1, set2, reg.reg, reg2.reg)),
                       ("surfaces", lambda: plotSurfaces(inputs, regions, regions2, reg.reg, reg2.reg)),
                       ("wireframes", lambda: plotWireframes(inputs, regions, regions2, reg.reg, reg2.reg))]:
        best = [float("inf"), float("inf")]
        for _ in range(repeats):
            t, c = time.perf_counter(), time.process_time()
            fig = make(); fig.savefig(f"/tmp/mpl-{name}.png", dpi=100); plt.close(fig)
            best = [min(best[0], time.perf_counter() - t), min(best[1], time.process_time() - c)]
        total = [total[0] + best[0], total[1] + best[1]]
        print(f"{name:16s} {best[0]:.4f}   {best[1]:.4f}")
    print(f"{'total':16s} {total[0]:.4f}   {total[1]:.4f}")

if __name__ == "__main__":
    main()
