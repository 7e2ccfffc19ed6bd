{#- Every version of every process (history.processes, plus source rows history has not
    recorded, valid from the beginning) with the process's cancellation moment: valid_from of
    its first version with status cancelled (DOMAIN.md §13), null when never cancelled. -#}
{{ versions_with_unrecorded(
    'history_processes', 'stg_marketing__processes', 'proc_id', ['status', 'owner_id', 'unit_code'],
) }}

select
    *,
    min(case when status = 'cancelled' then valid_from end) over (partition by proc_id) as cancelled_at
from final
