#!/usr/bin/env python3
"""Sample quality of a `tc0flow sample -o samples.json` file: unbiased MMD^2 (Gaussian kernel, fixed
bandwidth = median pairwise distance of the held-out set, as train.py) against the held-out data of
train.py's fixed split, next to the data-vs-data baseline. For digits also a classifier statistic
(the samples are unconditional, so no accuracy): a logistic-regression digit classifier trained on
the training split (fixed seed) gives each sample's max class probability; reported are the mean
max-confidence and the entropy (bits, at most log2(10) = 3.32) of the histogram of predicted
classes, with the same figures for the held-out digits as the data-vs-data baseline.
  python3 tools/train/eval_samples.py samples.json [more.json ...]"""
import json
import sys

import numpy as np


def heldout(kind):
    if kind == "digits8x8":
        from sklearn.datasets import load_digits
        x = load_digits().data.astype(np.float64) / 8.0 - 1.0
        perm = np.random.default_rng(12345).permutation(len(x))
        return x[perm[1500:]], x[perm[:1500]]
    from sklearn.datasets import make_moons
    x, _ = make_moons(n_samples=6000, noise=0.05, random_state=12345)
    x = (x - np.array([0.5, 0.25])) * np.array([1.0, 2.0])
    return x[5000:], x[:5000]


def digits_split():
    """(train x, train labels, held-out x, held-out labels) of the fixed split above."""
    from sklearn.datasets import load_digits
    d = load_digits()
    x = d.data.astype(np.float64) / 8.0 - 1.0
    perm = np.random.default_rng(12345).permutation(len(x))
    return x[perm[:1500]], d.target[perm[:1500]], x[perm[1500:]], d.target[perm[1500:]]


_CLASSIFIER = None


def digit_classifier():
    """Multinomial logistic regression on the 1500 training digits (deterministic: lbfgs, seed 0)."""
    global _CLASSIFIER
    if _CLASSIFIER is None:
        from sklearn.linear_model import LogisticRegression
        xt, yt, xh, yh = digits_split()
        clf = LogisticRegression(C=1.0, max_iter=5000, random_state=0).fit(xt, yt)
        clf.heldout_accuracy = float((clf.predict(xh) == yh).mean())
        _CLASSIFIER = clf
    return _CLASSIFIER


def classifier_stats(x):
    """Mean max class probability and entropy (bits) of the predicted-class histogram."""
    p = digit_classifier().predict_proba(x)
    hist = np.bincount(p.argmax(1), minlength=10) / len(x)
    nz = hist[hist > 0]
    return {"mean_max_confidence": float(p.max(1).mean()), "class_entropy_bits": float(-(nz * np.log2(nz)).sum()),
            "class_histogram": hist.round(4).tolist()}


def sqdist(a, b):
    return np.maximum((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T, 0)


def mmd2(x, y, sigma):
    k = lambda a, b: np.exp(-sqdist(a, b) / (2 * sigma ** 2))
    m, n = len(x), len(y)
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
            - 2 * kxy.mean())


def main():
    for path in sys.argv[1:]:
        s = json.load(open(path))
        cfg = json.load(open(s["model"].rstrip("/") + "/config.json"))
        y, train = heldout(cfg["data"]["kind"])
        sigma = float(np.median(np.sqrt(sqdist(y, y))))
        x = np.array(s["samples"], dtype=np.float64)
        r = {"file": path, "model": cfg["name"], "sampler": f'{s["sampler"]["kind"]}-{s["sampler"]["steps"]}',
             "type": s["type"], "n": len(x), "mmd2": mmd2(x, y, sigma),
             "data_vs_data": mmd2(train[: len(y)], y, sigma), "bandwidth": sigma,
             "frac_abs_gt_1.2": float((np.abs(x) > 1.2).mean())}
        if cfg["data"]["kind"] == "digits8x8":
            r["classifier"] = classifier_stats(x)
            r["classifier_data"] = classifier_stats(y)
            r["classifier_heldout_accuracy"] = digit_classifier().heldout_accuracy
        print(json.dumps(r))


if __name__ == "__main__":
    main()
