"""Digits as a reader draws them on the pad with a mouse: stroke polylines in the pad's unit
square ((0, 0) top left, (1, 1) bottom right), written by hand here -- not taken from the data set,
whose digits were scanned from forms filled in with a pen.

``TUNED``: two styles per digit (a 7 with and without its crossbar, a 1 straight and with a flag,
a 4 closed and open, ...), the set the pad's pen and normalisation were tuned against.
``HELD_OUT``: two more styles per digit, drawn smaller, off-centre or slanted, written before the
tuning and only scored after it (a check that the tuning did not just learn ``TUNED``).
Each entry is (digit, style, strokes); a stroke is a list of (x, y) points.
"""

from __future__ import annotations

import math


def arc(cx, cy, rx, ry, start, end, n=16):
    """Points on an ellipse from angle ``start`` to ``end`` (degrees, 0 at twelve o'clock,
    growing clockwise on the screen)."""
    return [(cx + rx * math.sin(math.radians(start + (end - start) * k / n)),
             cy - ry * math.cos(math.radians(start + (end - start) * k / n)))
            for k in range(n + 1)]


def moved(strokes, scale=1.0, dx=0.0, dy=0.0, slant=0.0):
    """``strokes`` scaled about the pad's centre, shifted by (dx, dy), and slanted (x moves right
    by ``slant`` times the height above the centre), as a reader's hand varies."""
    return [[(0.5 + scale * (x - 0.5) + slant * (0.5 - y) + dx, 0.5 + scale * (y - 0.5) + dy)
             for x, y in s] for s in strokes]


TUNED = [
    (0, "oval", [arc(0.5, 0.5, 0.22, 0.36, 0, -360, 24)]),
    (0, "round, open at the top", [arc(0.48, 0.52, 0.27, 0.3, 20, -330, 24)]),
    (1, "straight", [[(0.5, 0.12), (0.5, 0.88)]]),
    (1, "with a flag", [[(0.4, 0.26), (0.53, 0.12), (0.53, 0.88)]]),
    (2, "curved neck, flat base", [arc(0.5, 0.33, 0.2, 0.19, -70, 110) + [(0.3, 0.85),
                                                                         (0.75, 0.85)]]),
    (2, "swan", [arc(0.48, 0.3, 0.18, 0.16, -80, 90) + [(0.6, 0.5), (0.42, 0.7), (0.3, 0.84),
                                                        (0.55, 0.82), (0.72, 0.86)]]),
    (3, "round", [[(0.3, 0.18), (0.5, 0.12), (0.66, 0.2), (0.66, 0.35), (0.48, 0.48),
                   (0.68, 0.58), (0.7, 0.75), (0.52, 0.88), (0.3, 0.82)]]),
    (3, "flat top", [[(0.3, 0.15), (0.7, 0.15), (0.48, 0.42)]
                     + arc(0.5, 0.64, 0.2, 0.22, -20, 200)]),
    (4, "closed", [[(0.6, 0.12), (0.25, 0.62), (0.78, 0.62)], [(0.62, 0.3), (0.62, 0.9)]]),
    (4, "open", [[(0.32, 0.14), (0.3, 0.55), (0.72, 0.55)], [(0.66, 0.15), (0.66, 0.88)]]),
    (5, "one stroke", [[(0.7, 0.15), (0.36, 0.15), (0.33, 0.45)] + arc(0.5, 0.63, 0.2, 0.22, -45,
                                                                         215)]),
    (5, "hat last", [[(0.36, 0.15), (0.33, 0.45)] + arc(0.5, 0.63, 0.2, 0.22, -45, 215),
                     [(0.36, 0.15), (0.7, 0.14)]]),
    (6, "curl", [[(0.66, 0.14), (0.5, 0.2), (0.38, 0.35), (0.32, 0.55), (0.35, 0.75), (0.5, 0.86),
                  (0.65, 0.78), (0.68, 0.62), (0.55, 0.52), (0.4, 0.55), (0.34, 0.65)]]),
    (6, "straight back", [[(0.6, 0.12), (0.35, 0.6)] + arc(0.5, 0.68, 0.18, 0.18, 250, -90)]),
    (7, "plain", [[(0.28, 0.15), (0.72, 0.15), (0.45, 0.88)]]),
    (7, "crossbar", [[(0.28, 0.15), (0.72, 0.15), (0.45, 0.88)], [(0.4, 0.5), (0.68, 0.5)]]),
    (8, "two loops", [arc(0.5, 0.3, 0.16, 0.17, 0, 360), arc(0.5, 0.68, 0.2, 0.2, 0, 360)]),
    (8, "one stroke", [[(0.66, 0.2), (0.5, 0.12), (0.34, 0.2), (0.36, 0.36), (0.64, 0.6),
                        (0.66, 0.78), (0.5, 0.88), (0.34, 0.78), (0.36, 0.6), (0.64, 0.36),
                        (0.66, 0.2)]]),
    (9, "straight tail", [arc(0.48, 0.32, 0.18, 0.18, 90, -270) + [(0.64, 0.88)]]),
    (9, "curved tail", [arc(0.5, 0.3, 0.17, 0.16, 90, -270) + [(0.66, 0.55), (0.6, 0.78),
                                                               (0.45, 0.88)]]),
]

HELD_OUT = [
    (0, "small, slanted", moved([arc(0.5, 0.5, 0.2, 0.34, 10, 370, 24)], 0.7, -0.08, 0.05, 0.2)),
    (0, "wide", [arc(0.5, 0.5, 0.3, 0.32, 0, 360, 24)]),
    (1, "flag and base", [[(0.38, 0.28), (0.52, 0.14), (0.52, 0.86)],
                          [(0.36, 0.86), (0.68, 0.86)]]),
    (1, "slanted, short", [[(0.58, 0.25), (0.46, 0.75)]]),
    (2, "loop at the base", moved([arc(0.5, 0.33, 0.19, 0.18, -75, 120) + [
        (0.32, 0.8), (0.3, 0.86), (0.4, 0.8), (0.52, 0.8), (0.74, 0.84)]], 0.8, 0.06, 0.04)),
    (2, "Z-like", [[(0.3, 0.2), (0.68, 0.2), (0.3, 0.82), (0.72, 0.82)]]),
    (3, "small, off-centre", moved([arc(0.5, 0.3, 0.17, 0.16, -60, 160),
                                    arc(0.5, 0.66, 0.2, 0.2, -20, 210)], 0.65, 0.12, -0.08)),
    (3, "slanted", moved([[(0.32, 0.2), (0.52, 0.13), (0.66, 0.22), (0.6, 0.38), (0.46, 0.47),
                           (0.66, 0.56), (0.7, 0.72), (0.56, 0.86), (0.32, 0.84)]], slant=0.25)),
    (4, "open, one stroke", [[(0.35, 0.14), (0.3, 0.58), (0.74, 0.58), (0.66, 0.58), (0.66, 0.15),
                              (0.65, 0.88)]]),
    (4, "closed, small", moved([[(0.58, 0.1), (0.22, 0.62), (0.8, 0.62)],
                                [(0.6, 0.3), (0.6, 0.92)]], 0.65, -0.1, 0.06)),
    (5, "slanted", moved([[(0.68, 0.16), (0.38, 0.16), (0.34, 0.46)] + arc(0.5, 0.64, 0.19, 0.2,
                                                                        -40, 220)], slant=0.2)),
    (5, "angular", [[(0.66, 0.14), (0.34, 0.14), (0.32, 0.44), (0.6, 0.44), (0.68, 0.6),
                     (0.64, 0.8), (0.5, 0.86), (0.3, 0.8)]]),
    (6, "round", moved([arc(0.5, 0.64, 0.2, 0.22, -100, 260)[:1] + [(0.58, 0.14), (0.4, 0.3),
                        (0.3, 0.58)] + arc(0.5, 0.66, 0.2, 0.2, 255, -95)], 0.8, 0.05)),
    (6, "slanted", moved([[(0.62, 0.14), (0.36, 0.6)] + arc(0.5, 0.68, 0.18, 0.18, 250, -90)],
                         slant=0.2)),
    (7, "curved stem, crossbar", [[(0.26, 0.2), (0.5, 0.16), (0.74, 0.16), (0.58, 0.42),
                                   (0.5, 0.64), (0.48, 0.88)], [(0.36, 0.5), (0.68, 0.5)]]),
    (7, "small, serif", moved([[(0.26, 0.24), (0.28, 0.15), (0.72, 0.15), (0.46, 0.88)]],
                              0.7, 0.1, 0.05)),
    (8, "slanted", moved([arc(0.5, 0.3, 0.15, 0.16, 0, 360), arc(0.5, 0.68, 0.19, 0.2, 0, 360)],
                         0.9, slant=0.2)),
    (8, "small top loop", [arc(0.5, 0.34, 0.12, 0.13, 0, 360), arc(0.5, 0.68, 0.22, 0.2, 0, 360)]),
    (9, "small, off-centre", moved([arc(0.48, 0.32, 0.18, 0.18, 90, -270) + [(0.64, 0.88)]],
                                   0.65, -0.12, 0.08)),
    (9, "slanted", moved([arc(0.5, 0.3, 0.18, 0.17, 90, -270) + [(0.6, 0.88)]], slant=0.2)),
]
