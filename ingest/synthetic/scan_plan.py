"""Which generated documents and dossier covers get scanned.

The choice is made while the tables are written (the documents exist only chunk by chunk)
and handed to the scan writer under ``scans/``, which renders the pages; ``ingest`` never
imports ``scans``. The choice draws from its own random generator, so the tables never
depend on how many scans are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class ScanDocument:
    """A document to scan: its barcode and title on the first page, filed by unit and month."""

    barcode: str
    title: str
    pages: int
    unit: str
    month: str  # YYYYMM of the document's addition


@dataclass(frozen=True)
class ScanDossier:
    """A dossier whose cover is scanned, filed by unit."""

    barcode: str
    unit: str


@dataclass
class ScanPlan:
    """Collects up to ``count`` documents and about a tenth as many dossier covers.

    ``share`` is the chance that an offered document is taken, so the picks spread over the
    whole run instead of filling up with the first chunk.
    """

    count: int
    share: float
    rng: np.random.Generator
    unit_codes: np.ndarray
    documents: list[ScanDocument] = field(default_factory=list)
    dossiers: list[ScanDossier] = field(default_factory=list)

    @classmethod
    def for_run(cls, seed: int, count: int, processes: int, unit_codes: np.ndarray) -> ScanPlan:
        share = min(1.0, 4.0 * count / max(1, processes * 4))
        return cls(count, share, np.random.default_rng([seed, 8]), unit_codes)

    def offer_documents(
        self,
        barcode: pa.Array,
        title: np.ndarray,
        pages: np.ndarray,
        added_at: np.ndarray,
        unit: np.ndarray,
    ) -> None:
        """Take some of a chunk's documents (``unit`` holds unit positions)."""
        want = self.count - len(self.documents)
        if want <= 0 or len(title) == 0:
            return
        chosen = np.flatnonzero(self.rng.random(len(title)) < self.share)[:want]
        codes = barcode.take(pa.array(chosen)).to_pylist()
        for i, code in zip(chosen.tolist(), codes, strict=True):
            self.documents.append(
                ScanDocument(
                    barcode=code,
                    title=str(title[i]),
                    pages=int(min(pages[i], 4)),
                    unit=str(self.unit_codes[unit[i]]),
                    month=str(added_at[i].astype("datetime64[M]")).replace("-", ""),
                )
            )

    def offer_dossiers(self, barcode: pa.Array, unit: np.ndarray) -> None:
        """Take covers from each chunk with dossiers until a tenth of ``count`` is reached."""
        limit = max(1, self.count // 10)
        if self.count == 0 or len(self.dossiers) >= limit or len(unit) == 0:
            return
        n = len(unit)
        for i in self.rng.choice(n, min(n, limit), replace=False).tolist():
            self.dossiers.append(ScanDossier(barcode=barcode[i].as_py(), unit=str(self.unit_codes[unit[i]])))
