-- cutoff(M) = min(as_of, close): never after the close, never before the month starts, and
-- a month is provisional exactly when the cutoff is before its close.
select *
from {{ ref('int_kpi_months_enumerated') }}
where
    cutoff_at > close_at
    or cutoff_at < month
    or is_provisional <> (cutoff_at < close_at)
