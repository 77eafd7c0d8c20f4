"""Minimum-cost assignment (the Hungarian method with potentials), for the checker's small components.

The checker splits the candidate graph into connected components that hold a handful of
expectations each, so an O(n²·m) solver in plain Python is fast enough and saves a SciPy dependency.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["min_cost_assignment"]


def min_cost_assignment(cost: Sequence[Sequence[float]]) -> list[int]:
    """For an n-by-m matrix with n ≤ m, the column of each row in an assignment of least total cost.

    Every row gets a distinct column. Raises ``ValueError`` if there are more rows than columns.
    """
    n = len(cost)
    if n == 0:
        return []
    m = len(cost[0])
    if n > m:
        raise ValueError(f"more rows ({n}) than columns ({m})")
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    owner = [0] * (m + 1)  # owner[j]: 1-based row assigned to column j (0: none)
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        owner[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = owner[j0]
            row = cost[i0 - 1]
            ui0 = u[i0]
            delta = inf
            j1 = 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = row[j - 1] - ui0 - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    result = [0] * n
    for j in range(1, m + 1):
        if owner[j]:
            result[owner[j] - 1] = j - 1
    return result
