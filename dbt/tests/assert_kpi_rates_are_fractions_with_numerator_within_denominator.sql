-- Rates are fractions in [0, 1] with 0 <= numerator <= denominator; applicable means a
-- non-null value and weight, not applicable means both null.
select *
from {{ ref('kpi_monthly') }}
where
    (direction <> 'points' and (value < 0 or value > 1 or numerator > denominator or numerator < 0))
    or (is_applicable and (value is null or weight is null or score is null))
    or (not is_applicable and (value is not null or weight is not null or score is not null))
    or score < 0
    or score > rule_weight
