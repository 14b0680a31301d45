"""Data sets: deterministic per seed, right shapes and classes; split, standardise, one-hot."""

import subprocess
import sys

import numpy as np
import pytest

from nn_blog import data

TWO_D = ["and", "or", "xor", "moons", "circles", "spiral", "blobs"]


@pytest.mark.parametrize("name", TWO_D)
def test_same_seed_same_data_other_seed_other_data(name):
    X1, y1 = data.make(name, 7)
    X2, y2 = data.make(name, 7)
    X3, _ = data.make(name, 8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", TWO_D)
def test_shapes_dtypes_and_classes_follow_the_declared_parameters(name):
    spec = data.DATASETS[name]
    params = {k: field.default for k, field in spec.params.items()}
    X, y = data.make(name, 0)
    n = params["n_samples"]
    assert X.shape == (n, spec.features(params)) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(spec.classes(params)))
    assert np.isfinite(X).all()


def test_generators_do_not_touch_numpy_global_state():
    np.random.seed(123)  # noqa: NPY002 -- the legacy global state is what is under test
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    for name in TWO_D:
        data.make(name, 0)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_gates_follow_their_truth_tables_and_and_or_are_linearly_separable():
    rng = np.random.default_rng(0)
    for kind, table in {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0]}.items():
        X, y = data.gate(kind, rng, n_samples=400, spread=0.3)
        corner = np.rint(X).astype(int)  # spread < 0.5: each point rounds to its own corner
        np.testing.assert_array_equal(y, np.array(table)[2 * corner[:, 0] + corner[:, 1]])
        assert np.bincount(2 * corner[:, 0] + corner[:, 1]).tolist() == [100] * 4
    X, y = data.gate("and", rng, n_samples=400, spread=0.3)
    assert ((X.sum(axis=1) > 1.5) == (y == 1)).all()
    X, y = data.gate("or", rng, n_samples=400, spread=0.3)
    assert ((X.sum(axis=1) > 0.5) == (y == 1)).all()


def test_spiral_has_k_balanced_arms_within_the_unit_disc():
    X, y = data.spiral(np.random.default_rng(0), n_samples=500, classes=5, noise=0.1)
    assert np.bincount(y).tolist() == [100] * 5
    assert np.linalg.norm(X, axis=1).max() <= 1.0 + 1e-12


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = data.moons(np.random.default_rng(0), n_samples=101, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0)
    assert len(upper) == 50 and len(lower) == 51


def test_digits_load_from_the_package_without_scikit_learn():
    code = (
        "import sys\n"
        "from nn_blog import data\n"
        "X, y = data.digits()\n"
        "assert 'sklearn' not in sys.modules\n"
        "print(X.shape, X.dtype, X.min(), X.max(), sorted(set(y.tolist())), len(y))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["(1797,", "64)", "float64", "0.0", "16.0",
                                  "[0,", "1,", "2,", "3,", "4,", "5,", "6,", "7,", "8,", "9]",
                                  "1797"]


def test_digits_match_the_known_class_counts_and_look_like_digits():
    X, y = data.digits()
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # a zero is a ring: its centre pixels are darker than its average ink
    zeros = X[y == 0].reshape(-1, 8, 8).mean(axis=0)
    assert zeros[3:5, 3:5].mean() < 0.5 * zeros.mean()


def test_stratified_split_keeps_class_proportions_and_loses_no_row():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [300, 90, 21])
    X = np.arange(len(y) * 2, dtype=float).reshape(-1, 2)
    X_train, X_test, y_train, y_test = data.stratified_split(X, y, 0.25, rng)
    assert len(y_test) == round(0.25 * len(y))
    for c, n in zip([0, 1, 2], [300, 90, 21], strict=True):
        assert abs((y_test == c).sum() - 0.25 * n) <= 1
    rows = np.concatenate([X_train, X_test])
    assert sorted(rows[:, 0].tolist()) == X[:, 0].tolist()
    # X and y stay paired
    np.testing.assert_array_equal(y[(X_test[:, 0] / 2).astype(int)], y_test)


def test_stratified_split_keeps_one_of_each_class_on_both_sides_and_is_seeded():
    y = np.array([0, 0, 1, 1, 1, 1, 1, 1, 1, 1])
    X = np.arange(10.0)[:, None]
    a = data.stratified_split(X, y, 0.25, np.random.default_rng(3))
    b = data.stratified_split(X, y, 0.25, np.random.default_rng(3))
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert set(a[2]) == {0, 1} and set(a[3]) == {0, 1}


def test_stratified_split_rejects_mismatched_rows_and_bad_test_size():
    with pytest.raises(ValueError, match="rows"):
        data.stratified_split(np.zeros((3, 2)), np.zeros(4, int))
    with pytest.raises(ValueError, match="test_size"):
        data.stratified_split(np.zeros((4, 2)), np.zeros(4, int), test_size=1.5)


def test_standardize_uses_training_statistics_and_survives_constant_features():
    rng = np.random.default_rng(0)
    X_train = np.column_stack([rng.normal(5, 3, 200), np.full(200, 7.0)])
    X_test = np.column_stack([rng.normal(5, 3, 50), np.full(50, 9.0)])
    Xs_train, Xs_test, mu, sigma = data.standardize(X_train, X_test)
    np.testing.assert_allclose(Xs_train[:, 0].mean(), 0, atol=1e-12)
    np.testing.assert_allclose(Xs_train[:, 0].std(), 1)
    assert sigma[1] == 1.0 and (Xs_train[:, 1] == 0).all() and (Xs_test[:, 1] == 2).all()
    np.testing.assert_allclose(Xs_test, (X_test - mu) / sigma)


def test_split_transform_and_inverse_round_trip():
    split = data.Split(np.zeros((1, 2)), np.zeros(1, int), np.zeros((1, 2)), np.zeros(1, int),
                       2, "t", mean=np.array([1.0, 2.0]), std=np.array([2.0, 4.0]))
    P = np.array([[3.0, 6.0]])
    np.testing.assert_allclose(split.transform(P), [[1.0, 1.0]])
    np.testing.assert_allclose(split.inverse_transform(split.transform(P)), P)


def test_one_hot_and_its_errors():
    np.testing.assert_array_equal(data.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"0\.\.2"):
        data.one_hot(np.array([3]), 3)
    with pytest.raises(ValueError, match="integer"):
        data.one_hot(np.array([0.5]), 3)


def test_unknown_data_set_names_the_known_ones():
    with pytest.raises(ValueError, match="known: and, or, xor"):
        data.make("mnist", 0)
