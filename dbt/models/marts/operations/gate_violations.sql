{#- 节点控流程 (DOMAIN.md §11): a step that started while an earlier archive-producing step
    of the same process (lower seq) had not yet been sent to the collector — unsent at
    the step's start, where a send after as_of has not happened. blocking_step_id is the
    earliest such step. Cancelled processes are left out, as in every indicator. -#}
with steps as (
    select
        step_id,
        proc_id,
        seq,
        node_code,
        unit_code,
        assignee_team_code as team_code,
        assignee_id,
        proc_type,
        is_archive_producing,
        started_at,
        {{ as_of_cut('sent_at', as_of(), 'arch_created_at') }} as sent_at
    from {{ ref('int_steps_matched_to_archive') }}
    where
        started_at <= {{ as_of() }}
        and proc_accepted_at <= {{ as_of() }}
        and not is_cancelled
),

blocking as (
    select
        later.step_id,
        earlier.step_id as blocking_step_id,
        earlier.node_code as blocking_node_code,
        row_number() over (partition by later.step_id order by earlier.seq, earlier.step_id) as blocking_order
    from steps as later
    inner join steps as earlier
        on
            later.proc_id = earlier.proc_id
            and later.seq > earlier.seq
            and earlier.is_archive_producing
            and (earlier.sent_at is null or later.started_at < earlier.sent_at)
),

final as (
    select
        steps.proc_id,
        steps.step_id,
        steps.node_code,
        steps.unit_code,
        steps.team_code,
        steps.assignee_id,
        blocking.blocking_step_id,
        blocking.blocking_node_code,
        steps.proc_type,
        {{ code_label('node', 'steps.node_code') }} as node_name_zh,
        cast({{ dbt.date_trunc('month', 'steps.started_at') }} as date) as month,
        steps.started_at
    from steps
    inner join blocking
        on steps.step_id = blocking.step_id
    where blocking.blocking_order = 1
)

select * from final
