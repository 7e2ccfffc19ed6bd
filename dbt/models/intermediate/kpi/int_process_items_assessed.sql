{#- Items of the process-based indicators, one row per (month, indicator, process), as of
    the month's cutoff, of processes not cancelled at the cutoff, counted for the unit, owner
    and owner's team at the process's completion:
    - handover_timely_rate: processes completed in M with documents (added by the cutoff);
      success = paper handed over by the cutoff on or before workday_add(completion date, 5);
      pending = not handed over by the cutoff and the deadline date >= the cutoff's date.
    - sla_overdue_rate (units, teams): business-expansion processes completed in M; success
      (the numerator, lower is better) = a time-limited step red, its clock running from
      started_at to completed_at, or to the cutoff while not completed by then.
    - completeness_rate (collectors): processes completed in M with a last archive step;
      success = every mandatory document type of every node among its steps (the catalogue
      resolved per process type, int_required_documents_matched) present among the
      process's documents added by the cutoff. -#}
with processes as (
    select * from {{ ref('int_processes_summarised') }}
),

steps as (
    select * from {{ ref('int_steps_matched_to_archive') }}
),

required_documents as (
    select * from {{ ref('int_required_documents_matched') }}
),

months as (
    select * from {{ ref('int_kpi_months_computed') }}
),

completed_in_month as (
    select
        months.month,
        months.cutoff_at,
        processes.*
    from processes
    inner join months
        on {{ counts_in_month('processes.completed_at') }}
    where not {{ is_cancelled_at('processes.cancelled_at', 'months.cutoff_at') }}
),

handover as (
    select
        month,
        'handover_timely_rate' as indicator,
        proc_id as item_id,
        unit_code_at_completion as unit_code,
        owner_team_code_at_completion as team_code,
        owner_id_at_completion as person_id,
        {{ as_of_cut('first_handed_over_at', 'cutoff_at') }} is null
        and handover_deadline_on >= cast(cutoff_at as date) as is_pending,
        coalesce(
            cast({{ as_of_cut('first_handed_over_at', 'cutoff_at') }} as date) <= handover_deadline_on,
            false
        ) as is_success,
        cast(null as double) as points
    from completed_in_month
    where first_doc_added_at <= cutoff_at
),

step_clocks as (
    select
        completed_in_month.month,
        completed_in_month.proc_id,
        {{ sla_status(
            elapsed_workdays(
                'steps.started_at',
                'coalesce(' ~ as_of_cut('steps.completed_at', 'completed_in_month.cutoff_at') ~ ', completed_in_month.cutoff_at)'
            ),
            'steps.limit_workdays'
        ) }} as sla_status
    from completed_in_month
    inner join steps
        on completed_in_month.proc_id = steps.proc_id
    where
        steps.is_time_limited
        and steps.started_at <= completed_in_month.cutoff_at
),

red_processes as (
    select distinct
        month,
        proc_id
    from step_clocks
    where sla_status = 'red'
),

overdue as (
    select
        completed_in_month.month,
        'sla_overdue_rate' as indicator,
        completed_in_month.proc_id as item_id,
        completed_in_month.unit_code_at_completion as unit_code,
        completed_in_month.owner_team_code_at_completion as team_code,
        cast(null as {{ dbt.type_string() }}) as person_id,
        false as is_pending,
        red_processes.proc_id is not null as is_success,
        cast(null as double) as points
    from completed_in_month
    left join red_processes
        on
            completed_in_month.month = red_processes.month
            and completed_in_month.proc_id = red_processes.proc_id
    where completed_in_month.is_business_expansion
),

missing as (
    select distinct
        completed_in_month.month,
        completed_in_month.proc_id
    from completed_in_month
    inner join required_documents
        on completed_in_month.proc_id = required_documents.proc_id
    where {{ as_of_cut('required_documents.first_added_at', 'completed_in_month.cutoff_at') }} is null
),

completeness as (
    select
        completed_in_month.month,
        'completeness_rate' as indicator,
        completed_in_month.proc_id as item_id,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        cast(null as {{ dbt.type_string() }}) as team_code,
        completed_in_month.last_collector_id as person_id,
        false as is_pending,
        missing.proc_id is null as is_success,
        cast(null as double) as points
    from completed_in_month
    left join missing
        on
            completed_in_month.month = missing.month
            and completed_in_month.proc_id = missing.proc_id
    where completed_in_month.last_collector_id is not null
),

final as (
    select * from handover
    union all
    select * from overdue
    union all
    select * from completeness
)

select * from final
