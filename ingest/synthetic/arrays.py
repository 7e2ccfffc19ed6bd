"""Small vectorised helpers the generator's domains share: ids, text joins, durations.

Everything works on whole numpy/Arrow columns, never row by row, so a chunk of a hundred
thousand rows costs milliseconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NAT = np.datetime64("NaT", "s")
NAT_DAY = np.datetime64("NaT", "D")


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` followed by each number zero-padded to ``width`` digits."""
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def join(*parts: Any) -> pa.Array:
    """Row-wise concatenation of Arrow arrays, plain strings and numpy columns."""
    arrays = [p if isinstance(p, pa.Array | str) else pa.array(np.asarray(p).astype(str)) for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def take(values: np.ndarray, index: np.ndarray) -> pa.Array:
    return pa.array(values).take(pa.array(np.asarray(index, dtype=np.int64)))


def padded(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0")


def secs(n: int | np.ndarray) -> np.ndarray:
    return np.asarray(n, dtype=np.int64).astype("timedelta64[s]")


def days(n: int | np.ndarray) -> np.ndarray:
    return np.asarray(n, dtype=np.int64).astype("timedelta64[D]")
