from autograd import Value


def test_single_neuron_closed_form():
    w, x, b, y = Value(0.5), Value(2.0), Value(-1.0), 1.0
    z = w * x + b
    a = z.sigmoid()
    L = 0.5 * (a - y) ** 2
    L.backward()
    import math

    s = 1 / (1 + math.exp(-(0.5 * 2.0 - 1.0)))
    dz = (s - y) * s * (1 - s)
    assert abs(w.grad - dz * 2.0) < 1e-12
    assert abs(b.grad - dz) < 1e-12
