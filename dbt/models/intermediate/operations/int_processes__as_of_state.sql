{#- Every process accepted by as_of, as the systems showed it then: a completion after
    as_of has not happened yet, so the process is still in progress. Cancellation carries
    no timestamp of its own and is taken from the status. -#}
with processes as (
    select * from {{ ref('stg_marketing__processes') }}
),

customers as (
    select * from {{ ref('stg_marketing__customers') }}
),

process_types as (
    select * from {{ ref('process_types') }}
),

observed as (
    select
        processes.proc_id,
        processes.proc_type,
        processes.cust_no,
        processes.unit_code,
        processes.owner_id,
        customers.customer_class,
        coalesce(process_types.is_business_expansion, false) as is_business_expansion,
        processes.is_cancelled,
        processes.accepted_at,
        case
            when not processes.is_cancelled and processes.completed_at <= {{ as_of() }}
                then processes.completed_at
        end as completed_at
    from processes
    left join customers
        on processes.cust_no = customers.cust_no
    left join process_types
        on processes.proc_type = process_types.proc_type
    where processes.accepted_at <= {{ as_of() }}
),

final as (
    select
        proc_id,
        proc_type,
        cust_no,
        unit_code,
        owner_id,
        customer_class,
        case
            when is_cancelled then 'cancelled'
            when completed_at is not null then 'completed'
            else 'in_progress'
        end as process_state,
        is_business_expansion,
        is_cancelled,
        accepted_at,
        completed_at,
    from observed
)

select * from final
