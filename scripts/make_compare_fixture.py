"""The independent oracle of `regionplot compare`: Tests/ExperimentsTests/Fixtures/compare/.

Trains two PyTorch MLPs on the bundled digits (Sources/Experiments/Digits/Data, pixels / 16), exports them with
torch.onnx.export (TorchScript exporter, opset 17) as a.onnx and b.onnx, and computes in float64 with PyTorch
(autograd Jacobians) and scikit-learn (LinearRegression, r2_score) what `compare` reports:

- every sample's local affine map: J_c(x) = ∂logit_c/∂x (torch.func.jacrev), b_c(x) = logit_c(x) − J_c(x)·x;
- per class c: LinearRegression().fit(A's [J_c, b_c] on train, B's), score on test; the reverse; the same with J_c
  alone; the transferred accuracy (argmax_c of the predicted map applied to x) both ways, with and without b;
- each net's test accuracy; distinct maps among the training samples with the notebook's loop (tolerance 1e-3).

Both nets' first layers have at least 64 units, so the Jacobians span all 64 input directions and the least
squares problems are well posed (scikit-learn's default cut-off and a pseudo-inverse agree; checked below).

    python scripts/make_compare_fixture.py     # needs torch, numpy, scikit-learn, onnx; deterministic on CPU
"""
import json
import os

import numpy as np
import torch
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "Sources", "Experiments", "Digits", "Data")
out = os.path.join(here, "..", "Tests", "ExperimentsTests", "Fixtures", "compare")
os.makedirs(out, exist_ok=True)

def load(name):
    return np.load(os.path.join(data, name + ".npy"))

x_train = (load("digits_train_x") / 16.0).astype(np.float32)
y_train = load("digits_train_y").astype(np.int64)
x_test = (load("digits_test_x") / 16.0).astype(np.float32)
y_test = load("digits_test_y").astype(np.int64)

def train(seed, widths, epochs=30):
    torch.manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(widths, widths[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(len(xt), generator=g)
        for s in range(0, len(xt), 64):
            idx = perm[s:s + 64]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            opt.step()
    return model.eval()

nets = {"a": train(31, [64, 64, 32, 10]), "b": train(32, [64, 80, 10])}
for name, model in nets.items():
    torch.onnx.export(model, (torch.zeros(1, 64),), os.path.join(out, name + ".onnx"), dynamo=False,
                      opset_version=17, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})

# The float32 weights as float64, as regionplot reads them.
doubles = {name: torch.nn.Sequential(*[m for m in model]).double() for name, model in nets.items()}

def maps(model, x):
    xd = torch.from_numpy(x.astype(np.float64))
    with torch.no_grad():
        logits = model(xd).numpy()
    jac = torch.func.vmap(torch.func.jacrev(model))(xd).detach().numpy()  # N × C × D
    offsets = logits - np.einsum("ncd,nd->nc", jac, x.astype(np.float64))
    return jac, offsets, logits

m = {name: {"train": maps(model, x_train), "test": maps(model, x_test)} for name, model in doubles.items()}

def features(jac, offsets, c, bias):
    return np.concatenate([jac[:, c, :], offsets[:, c:c + 1]], axis=1) if bias else jac[:, c, :]

def compare(src, dst, bias):
    r2, scores = [], []
    xt = x_test.astype(np.float64)
    for c in range(10):
        fit = LinearRegression().fit(features(*m[src]["train"][:2], c, bias), features(*m[dst]["train"][:2], c, bias))
        xs, ys = features(*m[src]["test"][:2], c, bias), features(*m[dst]["test"][:2], c, bias)
        pred = fit.predict(xs)
        r2.append(float(fit.score(xs, ys)))
        assert abs(r2_score(ys, pred) - r2[-1]) < 1e-12
        # The same fit through a pseudo-inverse with a cut-off far above rounding: the problem is well posed.
        xc, yc = features(*m[src]["train"][:2], c, bias), features(*m[dst]["train"][:2], c, bias)
        xm, ym = xc.mean(0), yc.mean(0)
        coef = np.linalg.pinv(xc - xm, rcond=1e-10) @ (yc - ym)
        assert abs(r2_score(ys, (xs - xm) @ coef + ym) - r2[-1]) < 1e-6
        s = (pred[:, :64] * xt).sum(1) + (pred[:, 64] if bias else 0)
        scores.append(s)
    predicted = np.argmax(np.stack(scores, 1), 1)
    return {"perClass": r2, "mean": float(np.mean(r2)),
            "transferredAccuracy": float((predicted == y_test).mean()),
            "transferredCorrect": int((predicted == y_test).sum())}

def distinct(jac, offsets):
    rows = np.concatenate([np.concatenate([jac[:, c, :], offsets[:, c:c + 1]], 1) for c in range(10)], 1)
    kept = []
    for i in range(len(rows)):
        if all(np.linalg.norm(rows[i] - rows[r]) >= 1e-3 for r in kept):
            kept.append(i)
    return len(kept)

def kmeans(jac, offsets, jac_test, offsets_test, k):
    """scikit-learn's KMeans (k-means++, best of 10 initialisations) on the training maps, and the cluster accuracy
    of its centres: each test sample's maps replaced by the nearest centre's."""
    from sklearn.cluster import KMeans
    rows = lambda j, o: np.concatenate([np.concatenate([j[:, c, :], o[:, c:c + 1]], 1) for c in range(10)], 1)
    fit = KMeans(n_clusters=k, n_init=10, random_state=0).fit(rows(jac, offsets))
    centres = fit.cluster_centers_[fit.predict(rows(jac_test, offsets_test))].reshape(-1, 10, 65)
    scores = (centres[:, :, :64] * x_test.astype(np.float64)[:, None, :]).sum(2) + centres[:, :, 64]
    return {"k": k, "inertia": float(fit.inertia_), "accuracy": float((scores.argmax(1) == y_test).mean())}

expected = {
    "accuracy": {n: float((np.argmax(m[n]["test"][2], 1) == y_test).mean()) for n in "ab"},
    "withBias": {"aToB": compare("a", "b", True), "bToA": compare("b", "a", True)},
    "withoutBias": {"aToB": compare("a", "b", False), "bToA": compare("b", "a", False)},
    "distinctMaps": {n: distinct(*m[n]["train"][:2]) for n in "ab"},
    "kMeans": [kmeans(*m["a"]["train"][:2], *m["a"]["test"][:2], k) for k in (10, 100)],
    "firstTestJacobian": {n: m[n]["test"][0][0].tolist() for n in "ab"},
    "firstTestOffset": {n: m[n]["test"][1][0].tolist() for n in "ab"},
    "versions": {"torch": torch.__version__, "numpy": np.__version__,
                 "sklearn": __import__("sklearn").__version__},
}
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print(json.dumps({k: v for k, v in expected.items() if not k.startswith("first")}, indent=1)[:3000])
