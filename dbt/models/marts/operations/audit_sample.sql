{#- 稽查抽样清单 (DOMAIN.md §10): for each month up to the as_of month and each supply unit,
    the population is the unit's processes completed in the month (as of as_of), not
    cancelled, with at least one document; n = min(population, max(sample_min,
    ceil(sample_rate × population))); the population is ordered by
    md5('<seed>|<YYYY-MM>|<proc_id>') as hex text and the first n are taken. -#}
with processes as (
    select * from {{ ref('int_processes_summarised') }}
    where
        accepted_at <= {{ as_of() }}
        and not is_cancelled
        and completed_at <= {{ as_of() }}
        and first_doc_added_at <= {{ as_of() }}
),

population as (
    select
        cast({{ dbt.date_trunc('month', 'processes.completed_at') }} as date) as month,
        processes.unit_code,
        processes.proc_id,
        processes.proc_type,
        processes.cust_no,
        processes.owner_id,
        {{ threshold_text('sample_seed') }} as sample_seed
    from processes
),

hashed as (
    select
        *,
        {{ dbt.hash(dbt.concat([
            'sample_seed', "'|'", 'substring(cast(month as ' ~ dbt.type_string() ~ '), 1, 7)', "'|'", 'proc_id',
        ])) }} as sample_hash
    from population
),

sized as (
    select
        *,
        row_number() over (partition by month, unit_code order by sample_hash, proc_id) as sample_rank,
        count(*) over (partition by month, unit_code) as population_size,
    from hashed
),

with_size as (
    select
        *,
        case
            when population_size < {{ threshold('sample_min', 'integer') }} then population_size
            when ceil({{ threshold('sample_rate') }} * population_size) < {{ threshold('sample_min', 'integer') }}
                then {{ threshold('sample_min', 'integer') }}
            when ceil({{ threshold('sample_rate') }} * population_size) > population_size then population_size
            else cast(ceil({{ threshold('sample_rate') }} * population_size) as integer)
        end as sample_size
    from sized
),

final as (
    select
        month,
        unit_code,
        proc_id,
        proc_type,
        cust_no,
        owner_id,
        sample_seed,
        sample_hash,
        sample_rank,
        population_size as population,
        sample_size,
    from with_size
    where sample_rank <= sample_size
)

select * from final
