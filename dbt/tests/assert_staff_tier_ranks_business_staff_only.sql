-- The staff tier ranks business staff only; the collector tier collectors only.
select scorecard.*
from {{ ref('scorecard_monthly') }} as scorecard
left join {{ ref('int_staff_attributed') }} as staff
    on scorecard.entity_id = staff.staff_id
where
    (scorecard.tier = 'staff' and not coalesce(staff.is_business_staff, false))
    or (scorecard.tier = 'collector' and not coalesce(staff.is_collector, false))
