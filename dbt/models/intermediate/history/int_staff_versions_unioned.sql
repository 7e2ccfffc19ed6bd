{#- Every version of every staff member (history.staff, plus source rows history has not
    recorded, valid from the beginning) with the supply unit of the version's team. -#}
{{ versions_with_unrecorded('history_staff', 'stg_marketing__staff', 'staff_id', ['team_code', 'post', 'is_active']) }},

teams as (
    select * from {{ ref('stg_marketing__teams') }}
)

select
    final.*,
    teams.unit_code
from final
left join teams
    on final.team_code = teams.team_code
