#!/usr/bin/env python3
"""The XOR seed notebook's pipeline for one width, headless: the peer of `regionplot --width N` as a whole process.

    time python3 scripts/notebook_pipeline_bench.py --width 100 [--seed 0] [--out /tmp/notebook-w100]

The code is the notebook's own (shared/seeds/004_816491b7eaac7ba9.txt), cell by cell, with matplotlib's Agg
backend in place of `%matplotlib notebook`: the four hand-built figures (cells 3, 4, 106, 86), `trainNet` for two
nets (PyTorch, SGD lr 0.1, 100 epochs, retried until accuracy >= 0.99, redrawing its figure every 10 epochs as the
notebook does), `getRegions` (one autograd gradient per probe point), `NumpyLinearRegression` both ways,
`calcUniqueRegions`, and `plotLinearRegions`, `plotSurfaces`, `plotWireframes`; every figure is saved as a PNG at
100 dpi (regionplot writes its figures as PNG files too). Only the printing of LaTeX is left out. Prints the
seconds of each stage; run it under `time` for the whole process (Python start-up and imports included).
"""
import argparse, itertools, os, sys, time
T0 = time.perf_counter()
import torch
import numpy as np
from sklearn import linear_model
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from mpl_toolkits.mplot3d import Axes3D  # noqa: F401  (the notebook's import)

parser = argparse.ArgumentParser()
parser.add_argument("--width", type=int, default=100)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--out", default="/tmp/notebook-pipeline")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
torch.manual_seed(args.seed)
np.random.seed(args.seed)
plt.rcParams['figure.figsize'] = (7, 7)
stages = {"imports": time.perf_counter() - T0}
figure_count = 0

def save(fig, name):
    global figure_count
    fig.savefig(os.path.join(args.out, name + ".png"), dpi=100)
    plt.close(fig)
    figure_count += 1

def stage(name, start):
    stages[name] = time.perf_counter() - start

# Cells 3, 4, 106, 86: the hand-built figures.
t = time.perf_counter()
fig, ax = plt.subplots()
ax.scatter([-1, 1], [-1, 1], c='r', alpha=1, s=100, label='Even')
ax.scatter([1, -1], [-1, 1], c='g', alpha=1, s=100, label='Odd')
ax.legend(); ax.set_xlabel('$x$'); ax.set_ylabel('$y$')
save(fig, "xor-points")
fig = plt.figure(); ax = fig.add_subplot(111, projection='3d')
ax.scatter([-1, 1], [-1, 1], [-1, -1], c='r', alpha=1, s=100)
ax.scatter([1, -1], [-1, 1], [1, 1], c='g', alpha=1, s=100)
ax.set_xlabel('$x$'); ax.set_ylabel('$y$'); ax.set_zlabel('XOR$(x, y)$')
save(fig, "xor-3d")

a = np.array([[2.0], [-4.0]]).T
bOuter = np.array(-1)
bInner = np.array([[1.0], [0.0]])
w = np.array([[1.0, 1.0], [1.0, 1.0]])
def network(x):
    return np.matmul(a, np.maximum(np.matmul(w, x) + bInner, 0)) + bOuter

fig, ax = plt.subplots()
x = np.linspace(-2, 2, 100)
ax.fill_between(x, -2, np.clip((-x-0.5), -2, 2), color='r')
ax.fill_between(x, np.clip((-x+0.5), -2, 2), 2, color='r')
ax.fill_between(x, np.clip((-x-0.5), -2, 2), np.clip((-x+0.5), -2, 2), color='g')
ax.plot([2, -2], [-2, 2], c='k', label='Nonlinearity')
ax.plot([1, -2], [-2, 1], c='k')
ax.scatter([-1, 1], [-1, 1], c='r', alpha=1, s=100, label='Even')
ax.scatter([1, -1], [-1, 1], c='g', alpha=1, s=100, label='Odd')
for (px, py, text) in [(-1, -1, "$f(x,y) = -1$"), (-0.25, -0.25, "$f(x,y) = 2x+2y+1$"),
                       (1, 1, "$f(x,y) = -2x-2y+1$")]:
    plt.text(px, py, text, size=10, rotation=-45, ha="center", va="center",
             bbox=dict(boxstyle="square", ec=(0, 0, 0), fc=(1, 1, 1)))
ax.legend(); ax.set_xlabel('$x$'); ax.set_ylabel('$y$')
save(fig, "handcrafted-regions")

x = np.linspace(-2, 2, 100); y = np.linspace(-2, 2, 100)
x, y = np.meshgrid(x, y)
into = np.concatenate((x.reshape([-1, 1]), y.reshape([-1, 1])), axis=1)
out = network(into.T)
fig = plt.figure(); ax = fig.add_subplot(111, projection='3d')
ax.plot([2, -2], [-2, 2], zs=[1, 1], c='r', label='Nonlinearity')
ax.plot([1, -2], [-2, 1], zs=[-1, -1], c='r')
ax.plot_wireframe(x, y, out.reshape(x.shape), rstride=16, cstride=16)
ax.scatter([-1, 1], [-1, 1], [-1, -1], c='r', alpha=1, s=100)
ax.scatter([1, -1], [-1, 1], [1, 1], c='g', alpha=1, s=100)
ax.set_xlabel('$x$'); ax.set_ylabel('$y$'); ax.set_zlabel('$f(x,y)$')
ax.plot([-1.5, 2], [2, -1.5], zs=[0, 0], c='k', label='Zeros')
ax.plot([-2, 1.5], [1.5, -2], zs=[0, 0], c='k')
ax.legend()
save(fig, "handcrafted-wireframe")
stage("hand-built figures", t)

# Cells 58-62: the trained networks.
class SimpleNet(torch.nn.Module):
    def __init__(self, width=2):
        super(SimpleNet, self).__init__()
        self.fc1 = torch.nn.Linear(2, width)
        self.fc2 = torch.nn.Linear(width, 1)

    def forward(self, x):
        x = torch.nn.functional.relu(self.fc1(x))
        x = self.fc2(x)
        return x

def get_dataloader(dim=2, train=True):
    if train == True:
        train_x = []
        train_y = []
        for val in itertools.product([0, 1], repeat=dim):
            train_x.append(2*(np.array(val) - 0.5))
            train_y.append(2*np.array([sum(val) % 2]) - 1)
        tensor_x = torch.stack([torch.tensor(elem.astype(np.float32)) for elem in train_x])
        tensor_y = torch.stack([torch.tensor(elem.astype(np.float32)) for elem in train_y])
        my_dataset = torch.utils.data.TensorDataset(tensor_x, tensor_y)
        return torch.utils.data.DataLoader(my_dataset, batch_size=len(train_x), shuffle=True)
    else:
        x = np.linspace(-1, 1, 101)
        y = np.linspace(-1, 1, 101)
        x, y = np.meshgrid(x, y)
        X = x.reshape([-1, 1])
        Y = y.reshape([-1, 1])
        into = np.concatenate((X, Y), axis=1)
        train_x = []
        for i in range(into.shape[0]):
            train_x.append(into[i, :])
        for val in itertools.product([0, 1], repeat=dim):
            train_x.append(2*(np.array(val) - 0.5))
        tensor_x = torch.stack([torch.tensor(elem.astype(np.float32)) for elem in train_x])
        my_dataset = torch.utils.data.TensorDataset(tensor_x, tensor_x)
        return torch.utils.data.DataLoader(my_dataset, batch_size=1, shuffle=False)

def train(network, optimizer, lossFunc, train_loader):
    network.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = network(data)
        loss = lossFunc(output, target)
        loss.backward()
        optimizer.step()

def test(network, test_loader):
    network.eval()
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            output = network(data)
            pred = output > 0
            tar = target > 0
            correct += pred.eq(tar.data.view_as(pred)).sum()
    return correct.item()/len(test_loader.dataset)

def trainNet(network, width=2):
    x = np.linspace(-1, 1, 101)
    y = np.linspace(-1, 1, 101)
    x, y = np.meshgrid(x, y)
    X = x.reshape([-1, 1])
    Y = y.reshape([-1, 1])
    into = np.concatenate((X, Y), axis=1)
    into = torch.tensor(into.astype(np.float32))
    fig = plt.figure(figsize=(10, 5))
    ax = fig.add_subplot(121)
    ax2 = fig.add_subplot(122, projection='3d')
    X = X/2 + 0.5
    Y = Y/2 + 0.5
    x = x/2 + 0.5
    y = y/2 + 0.5
    acc = 0
    while acc < 0.99:
        criterion = torch.nn.MSELoss()
        network.__init__(width=width)
        optimizer = torch.optim.SGD(network.parameters(), 0.1)
        out = network(into).detach().numpy()
        ax.clear()
        ax2.clear()
        ax.plot(X[out>0], Y[out>0], '.r')
        ax.plot(X[out<0], Y[out<0], '.g')
        ax.set_title(str(0) + " " + str(acc))
        ax2.plot_wireframe(x, y, out.reshape(x.shape), rstride=16, cstride=16)
        ax2.scatter([0, 1], [0, 1], [-1, -1], c='r', alpha=1, s=100)
        ax2.scatter([1, 0], [0, 1], [1, 1], c='g', alpha=1, s=100)
        ax2.set_title(str(0) + " " + str(acc))
        fig.canvas.draw()
        for i in range(1, 101):
            train(network, optimizer, criterion, dataLoader)
            acc = test(network, dataLoader)
            if i % 10 == 0:
                out = network(into).detach().numpy()
                ax.clear()
                ax2.clear()
                ax.plot(X[out<0], Y[out<0], '.r')
                ax.plot(X[out>0], Y[out>0], '.g')
                ax.scatter([0, 1], [0, 1], c='r', alpha=1, s=100, label='Even')
                ax.scatter([1, 0], [0, 1], c='g', alpha=1, s=100, label='Odd')
                ax.legend()
                ax.set_xlabel('$x$')
                ax.set_ylabel('$y$')
                ax.set_title(str(i) + " epochs " + str(acc) + " accuracy")
                ax2.plot_wireframe(x, y, out.reshape(x.shape), rstride=16, cstride=16)
                ax2.scatter([0, 1], [0, 1], [-1, -1], c='r', alpha=1, s=100)
                ax2.scatter([1, 0], [0, 1], [1, 1], c='g', alpha=1, s=100)
                ax2.set_title(str(i) + " " + str(acc))
                fig.canvas.draw()
    return fig

t = time.perf_counter()
dataLoader = get_dataloader()
network = SimpleNet()
save(trainNet(network, width=args.width), "training-a")
network2 = SimpleNet()
save(trainNet(network2, width=args.width), "training-b")
stage("trainNet x 2 (with its redraws)", t)

# Cells 71-74: regions, regressions, distinct regions.
def calcRegion(network, data):
    network.zero_grad()
    output = network(data)
    g = torch.autograd.grad(output, data)[0].data
    return np.squeeze(np.array(g.tolist()[0] + [(output[0, 0] - torch.dot(torch.squeeze(data), torch.squeeze(g))).tolist()]))

def getRegions(network, network2):
    dataLoader = get_dataloader(train=False)
    inputs = np.zeros((len(dataLoader), 2))
    regions = np.zeros((len(dataLoader), 3))
    regions2 = np.zeros((len(dataLoader), 3))
    for batch_idx, (data, target) in enumerate(dataLoader):
        data.requires_grad_()
        regions[batch_idx, :] = calcRegion(network, data)
    for batch_idx, (data, target) in enumerate(dataLoader):
        data.requires_grad_()
        regions2[batch_idx, :] = calcRegion(network2, data)
        inputs[batch_idx, :] = np.squeeze(np.array(data.tolist()))
    return inputs, regions, regions2

class NumpyLinearRegression:
    def __init__(self, doAll=True):
        self.doAll = doAll
        self.reg = linear_model.LinearRegression(fit_intercept=True)

    def fit(self, X, y):
        X = np.round(X, decimals=5)
        y = np.round(y, decimals=5)
        if self.doAll:
            self.reg.fit(X, y)
        else:
            self.reg.fit(X[-4:, :], y[-4:, :])

    def predict(self, X):
        return self.reg.predict(X)

    def test(self, X, y):
        return self.reg.score(X, y)

def calcUniqueRegions(regions):
    regionsSet = []
    for i in range(regions.shape[0]):
        isGood = True
        for elem in regionsSet:
            if np.linalg.norm(regions[i, :] - elem) < 0.001:
                isGood = False
                break
        if isGood:
            regionsSet.append(regions[i, :])
    return regionsSet

t = time.perf_counter()
inputs, regions, regions2 = getRegions(network, network2)
stage("getRegions", t)
t = time.perf_counter()
reg = NumpyLinearRegression(); reg.fit(regions, regions2)
reg2 = NumpyLinearRegression(); reg2.fit(regions2, regions)
r2 = (reg.test(regions, regions2), reg2.test(regions2, regions))
stage("regression", t)
t = time.perf_counter()
regionsSet = np.array(calcUniqueRegions(regions))
regions2Set = np.array(calcUniqueRegions(regions2))
stage("calcUniqueRegions", t)

# Cells 75-77 and 108-110: the three analysis figures.
def plotLinearRegions(regionsSet, regions2Set, reg, reg2):
    fig = plt.figure(figsize=(10, 5))
    ax1 = fig.add_subplot(121)
    ax2 = fig.add_subplot(122, projection='3d')
    tmp = reg.predict(regionsSet)
    tmp2 = reg2.predict(regions2Set)
    fig.suptitle('Linear Regions')
    ax1.plot(regionsSet[:, 0], regionsSet[:, 1], 'ob', label='1')
    ax1.plot(regions2Set[:, 0], regions2Set[:, 1], 'or', label='2')
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
        ax.plot(inputs[outputs > 0, 0], inputs[outputs > 0, 1], '.g', alpha=0.5)
        ax.plot(inputs[outputs < 0, 0], inputs[outputs < 0, 1], '.r', alpha=0.5)
        ax.set_title(title)
    return fig

def plotWireframes(inputsTest, regionsTest, regions2Test, reg, reg2):
    fig = plt.figure(figsize=(10, 10))
    axes = [fig.add_subplot(221 + k, projection='3d') for k in range(4)]
    biasInputs = np.concatenate((inputs, np.ones((inputs.shape[0], 1))), 1)
    for ax, coeffs in zip(axes, [regionsTest, reg.predict(regionsTest), reg2.predict(regions2Test), regions2Test]):
        ax.scatter(inputsTest[:, 0], inputsTest[:, 1], np.sum(np.multiply(biasInputs, coeffs), axis=1), s=1)
    return fig

t = time.perf_counter()
save(plotLinearRegions(regionsSet, regions2Set, reg.reg, reg2.reg), "linear-regions")
save(plotSurfaces(inputs, regions, regions2, reg.reg, reg2.reg), "surfaces")
save(plotWireframes(inputs, regions, regions2, reg.reg, reg2.reg), "wireframes")
stage("three analysis figures", t)

for name, seconds in stages.items():
    print(f"{name:34s} {seconds:8.3f} s")
print(f"{'total (in process)':34s} {time.perf_counter() - T0:8.3f} s")
print(f"regions {len(regionsSet)} {len(regions2Set)}, R^2 {r2[0]:.6f} {r2[1]:.6f}, "
      f"{figure_count} figures in {args.out}")
