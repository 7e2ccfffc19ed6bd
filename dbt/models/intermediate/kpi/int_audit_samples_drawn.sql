{#- 稽查抽样清单 drawn for every scored month (DOMAIN.md §10): for month M and each supply
    unit the population is the unit's processes (the unit at completion) completed in M, read up to cutoff(M): completed
    and with a document added by the cutoff, not cancelled at the cutoff. n = min(population,
    max(sample_min, ceil(sample_rate × population))); the population is ordered by
    md5('<seed>|<YYYY-MM>|<proc_id>') as hex text and the first n are taken. The mart
    audit_sample takes a final month from frozen.audit_sample instead (DOMAIN §13). -#}
with processes as (
    select * from {{ ref('int_processes_summarised') }}
),

months as (
    select * from {{ ref('int_kpi_months_computed') }}
),

population as (
    select
        months.month,
        processes.unit_code_at_completion as unit_code,
        processes.proc_id,
        processes.proc_type,
        processes.cust_no,
        processes.owner_id_at_completion as owner_id,
        {{ threshold_text('sample_seed') }} as sample_seed
    from processes
    inner join months
        on {{ counts_in_month('processes.completed_at') }}
    where
        processes.first_doc_added_at <= months.cutoff_at
        and not {{ is_cancelled_at('processes.cancelled_at', 'months.cutoff_at') }}
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
        count(*) over (partition by month, unit_code) as population_size
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
        sample_size
    from with_size
    where sample_rank <= sample_size
)

select * from final
