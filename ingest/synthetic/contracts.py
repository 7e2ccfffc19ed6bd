"""Customers and their supply contracts.

The existing customer pool is written first, each customer with a standing contract (and
some with the one before it); processes then add new connections, which sign at their
CONTRACT step, and closures, whose standing contract ends with the customer. A small,
unit-dependent share of non-residential contracts runs out soon, has run out or is
missing, so the contract reminders have something to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ingest.synthetic import reference as ref
from ingest.synthetic.arrays import NAT, NAT_DAY, days, ids, secs
from ingest.synthetic.organisation import COMPANY_WORDS, HV_INDUSTRIES, INDUSTRIES, ROADS, person_names

if TYPE_CHECKING:
    from ingest.synthetic.processes import Chunk
    from ingest.synthetic.world import World

CONTRACT_TERM_DAYS = {False: 5 * 365 + 1, True: 3 * 365 + 1}  # LV, HV
EARLIEST_OPENING = np.datetime64("1998-01-01")


def _term_days(seg: np.ndarray) -> np.ndarray:
    """Contract terms: 3 years for high-voltage customers, 5 for the rest (DOMAIN.md section 4)."""
    return np.where(seg == ref.HV_SEG, CONTRACT_TERM_DAYS[True], CONTRACT_TERM_DAYS[False])


def customer_numbers(index: np.ndarray) -> pa.Array:
    return ids("33", index, 8)


def write_pool_customers(
    world: World, rng: np.random.Generator, index: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """Customers ``index`` of the existing pool, with their contracts; returns their numbers and units."""
    n = len(index)
    cell = np.searchsorted(world.pool.offset.ravel(), index, side="right") - 1
    unit, seg = np.divmod(cell, world.pool.count.shape[1])
    dual = (seg == ref.HV_SEG) & (index % 7 == 0)
    rows = customer_rows(world, rng, index, unit, seg, dual)
    opened = EARLIEST_OPENING + days(rng.integers(0, 365 * 26, n))
    opened = np.minimum(opened, world.start.astype("datetime64[D]") - days(1))
    contracts, opened = standing_contracts(
        world, rng, rows["cust_no"], seg, unit, opened, np.full(n, NAT_DAY)
    )
    rows["opened_on"] = opened
    rows["closed_on"] = np.full(n, NAT_DAY)
    rows["updated_at"] = np.minimum(
        opened.astype("datetime64[s]") + secs(rng.integers(9 * 3600, 17 * 3600, n)), world.end
    )
    world.sinks.write("customers", rows)
    world.sinks.write("contracts", contracts)
    return rows["cust_no"], unit


def customer_rows(
    world: World,
    rng: np.random.Generator,
    index: np.ndarray,
    unit: np.ndarray,
    seg: np.ndarray,
    dual: np.ndarray,
) -> dict[str, Any]:
    """Names, addresses and classes of customers; people for households, firms otherwise."""
    org = world.org
    n = len(index)
    residential = seg == ref.RES
    people = person_names(rng, n)
    cw = np.array(COMPANY_WORDS)
    industry = np.where(
        seg == ref.HV_SEG,
        np.array(HV_INDUSTRIES)[rng.integers(0, len(HV_INDUSTRIES), n)],
        np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), n)],
    )
    company = np.char.add(
        np.char.add(
            np.char.add(org.unit_short[unit], cw[rng.integers(0, len(cw), n)]),
            cw[rng.integers(0, len(cw), n)],
        ),
        industry,
    )
    road = np.array(ROADS)[rng.integers(0, len(ROADS), n)]
    number = rng.integers(1, 999, n).astype(str)
    flat = np.char.add(
        np.char.add(rng.integers(1, 40, n).astype(str), "幢"),
        np.char.add(rng.integers(101, 2602, n).astype(str), "室"),
    )
    address = np.char.add(np.char.add(np.char.add(org.unit_addr[unit], road), number), "号")
    manager = np.full(n, "", dtype=object)
    nonres = ~residential
    if nonres.any():
        manager[nonres] = org.staff_id[org.unit_managers.pick(rng, unit[nonres])]
    return {
        "cust_no": customer_numbers(index),
        "cust_name": np.where(residential, people, company),
        "cust_class": np.where(residential, "residential", "non_residential"),
        "voltage_class": np.where(seg == ref.HV_SEG, "high", "low"),
        "supply_mode": np.where(dual, "dual", "single"),
        "address": np.where(residential, np.char.add(address, flat), address),
        "unit_code": org.unit_code[unit],
        "manager_id": manager.astype(str),
    }


def standing_contracts(
    world: World,
    rng: np.random.Generator,
    cust_no: pa.Array,
    seg: np.ndarray,
    unit: np.ndarray,
    opened: np.ndarray,
    terminated: np.ndarray,
) -> tuple[dict[str, Any], np.ndarray]:
    """Current (and some previous) contracts of customers that exist before the window.

    Returns the contract rows and the opening dates, moved back where a contract was
    signed before the customer's recorded opening.
    """
    n = len(seg)
    term = _term_days(seg)
    expires, auto, missing = _expiry(world, rng, seg, unit, term)
    signed = expires - days(term)
    opened = np.minimum(opened, signed)
    has = ~missing
    numbers = world.numbers("contract", n)
    previous = has & (rng.random(n) < 0.25)
    prev_signed = signed - days(term)
    opened = np.where(previous, np.minimum(opened, prev_signed), opened)
    n_prev = int(previous.sum())
    prev_numbers = world.numbers("contract", n_prev)
    terminated_on = np.where(terminated >= signed, terminated, NAT_DAY)
    updated = np.where(
        np.isnat(terminated_on), signed.astype("datetime64[s]"), terminated_on.astype("datetime64[s]")
    ) + secs(rng.integers(9 * 3600, 17 * 3600, n))
    updated = np.minimum(updated, world.end)
    rows = {
        "contract_id": pa.concat_arrays([ids("HT", numbers[has], 10), ids("HT", prev_numbers, 10)]),
        "cust_no": pa.concat_arrays([cust_no.filter(pa.array(has)), cust_no.filter(pa.array(previous))]),
        "signed_on": np.concatenate([signed[has], prev_signed[previous]]),
        "expires_on": np.concatenate([expires[has], signed[previous] - days(1)]),
        "auto_renew": np.concatenate([auto[has], np.zeros(n_prev, dtype=bool)]),
        "terminated_on": np.concatenate([terminated_on[has], np.full(n_prev, NAT_DAY)]),
        "updated_at": np.concatenate(
            [updated[has], signed[previous].astype("datetime64[s]") + secs(10 * 3600)]
        ),
    }
    return rows, opened


def _expiry(
    world: World, rng: np.random.Generator, seg: np.ndarray, unit: np.ndarray, term: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expiry dates and auto-renewal of standing contracts, and which ones are missing.

    Non-residential contracts of weaker units run out within a week or a month, have just
    run out, or are missing, more often than those of exemplary units.
    """
    n = len(seg)
    nonres = seg != ref.RES
    factor = world.org.unit_factor[unit]
    r = rng.random(n)
    soon7 = nonres & (r < 0.006 * factor)
    soon30 = nonres & ~soon7 & (r < 0.02 * factor)
    expired = nonres & ~soon7 & ~soon30 & (r < 0.024 * factor)
    missing = nonres & ~soon7 & ~soon30 & ~expired & (r < 0.0255 * factor)
    normal = ~(soon7 | soon30 | expired | missing)
    auto = normal & (rng.random(n) < 0.35)
    end_day = world.end_day
    expires = end_day + days(31 + (rng.random(n) * (term - 31)).astype(np.int64))
    # Auto-renewing contracts often run on past their written term.
    lapsed_auto = auto & (rng.random(n) < 0.3)
    expires = np.where(lapsed_auto, end_day - days(rng.integers(1, 900, n)), expires)
    expires = np.where(soon7, end_day + days(rng.integers(0, 8, n)), expires)
    expires = np.where(soon30, end_day + days(rng.integers(8, 31, n)), expires)
    expires = np.where(expired, end_day - days(rng.integers(1, 26, n)), expires)
    return expires, auto, missing


def write_new_customers(world: World, rng: np.random.Generator, chunk: Chunk) -> None:
    """Customers a chunk's processes create: new connections and closing customers.

    A closing customer existed long before and its standing contract ends with the closure;
    a new connection opens on acceptance, signs at its CONTRACT step, and a cancelled one
    closes the pre-registered account.
    """
    procs = chunk.processes
    idx = np.flatnonzero(procs.fresh)
    if len(idx) == 0:
        return
    rows = customer_rows(world, rng, procs.cust_index[idx], procs.unit[idx], procs.seg[idx], procs.dual[idx])
    is_new = procs.kind[idx] == ref.NEW
    closing = ~is_new
    old_opened = EARLIEST_OPENING + days(rng.integers(0, 365 * 25, len(idx)))
    opened = np.where(is_new, chunk.accepted[idx].astype("datetime64[D]"), old_opened)
    closed = np.where(closing, chunk.completed[idx].astype("datetime64[D]"), NAT_DAY)
    closed = np.where(is_new, chunk.cancelled_at[idx].astype("datetime64[D]"), closed)
    contract_parts = []
    c_idx = np.flatnonzero(closing)
    if len(c_idx):
        standing, opened_before = standing_contracts(
            world,
            rng,
            rows["cust_no"].take(pa.array(c_idx)),
            procs.seg[idx][c_idx],
            procs.unit[idx][c_idx],
            opened[c_idx],
            closed[c_idx],
        )
        opened[c_idx] = opened_before
        contract_parts.append(standing)
    signing = _new_connection_contracts(world, rng, chunk, idx, is_new, rows["cust_no"])
    if signing is not None:
        contract_parts.append(signing)
    rows["opened_on"] = opened
    rows["closed_on"] = closed
    updated = np.where(np.isnat(chunk.completed[idx]), chunk.accepted[idx], chunk.completed[idx])
    updated = np.where(np.isnat(chunk.cancelled_at[idx]), updated, chunk.cancelled_at[idx])
    updated = np.where(is_new | ~np.isnat(closed), updated, old_opened.astype("datetime64[s]") + secs(36000))
    rows["updated_at"] = np.minimum(updated, world.end)
    world.sinks.write("customers", rows)
    for part in contract_parts:
        world.sinks.write("contracts", part)


def _new_connection_contracts(
    world: World,
    rng: np.random.Generator,
    chunk: Chunk,
    idx: np.ndarray,
    is_new: np.ndarray,
    cust_no: pa.Array,
) -> dict[str, Any] | None:
    """Contracts signed when a new connection's CONTRACT step completed (None if none did)."""
    steps = chunk.steps
    contract_step = np.flatnonzero(steps.kept & (steps.node == ref.N["CONTRACT"]) & ~np.isnat(steps.done))
    signed_ts = np.full(chunk.processes.count, NAT)
    signed_ts[steps.process[contract_step]] = steps.done[contract_step]
    new_signed = signed_ts[idx][is_new]
    has = ~np.isnat(new_signed)
    if not has.any():
        return None
    sel = np.flatnonzero(is_new)[has]
    signed = new_signed[has].astype("datetime64[D]")
    term = _term_days(chunk.processes.seg[idx][sel])
    numbers = world.numbers("contract", len(sel))
    return {
        "contract_id": ids("HT", numbers, 10),
        "cust_no": cust_no.take(pa.array(sel)),
        "signed_on": signed,
        "expires_on": signed + days(term),
        "auto_renew": rng.random(len(sel)) < 0.35,
        "terminated_on": np.full(len(sel), NAT_DAY),
        "updated_at": new_signed[has],
    }
