{#- contract_valid_rate items, one row per (month, active non-residential customer), as
    of e = min(as_of date, last day of M): active when opened_on <= e and (closed_on null
    or > e); the current contract is the non-terminated one (terminated_on null or > e)
    signed by e with the latest expires_on; valid when it expires on or after e or
    auto-renews. Counts for the customer's unit and the customer manager's team; unit, class
    (non-residential or not), manager and the manager's team are taken as they were at
    min(as_of, end of e) (DOMAIN §8, §13). -#}
with customers as (
    select * from {{ ref('stg_marketing__customers') }}
),

contracts as (
    select * from {{ ref('stg_marketing__contracts') }}
),

customer_versions as (
    select * from {{ ref('int_customer_versions_unioned') }}
),

staff_versions as (
    select * from {{ ref('int_staff_versions_unioned') }}
),

months as (
    select
        *,
        least(
            {{ as_of() }},
            cast({{ dbt.dateadd('second', 86399, 'cast(evaluated_on as timestamp)') }} as timestamp)
        ) as evaluated_at
    from {{ ref('int_kpi_months_computed') }}
),

active_customers as (
    select
        months.month,
        months.evaluated_on,
        months.evaluated_at,
        customers.cust_no,
        customer_then.unit_code,
        customer_then.manager_id
    from customers
    inner join months
        on
            customers.opened_on <= months.evaluated_on
            and (customers.closed_on is null or customers.closed_on > months.evaluated_on)
    inner join customer_versions as customer_then
        on
            customers.cust_no = customer_then.cust_no
            and {{ valid_at('customer_then', 'months.evaluated_at') }}
    where customer_then.is_non_residential
),

standing_contracts as (
    select
        active_customers.month,
        active_customers.cust_no,
        contracts.contract_id,
        {{ contract_is_valid('contracts', 'active_customers.evaluated_on') }} as is_valid,
        row_number() over (
            partition by active_customers.month, active_customers.cust_no
            order by {{ contract_recency_order('contracts') }}
        ) as recency
    from active_customers
    inner join contracts
        on
            active_customers.cust_no = contracts.cust_no
            and {{ contract_is_standing('contracts', 'active_customers.evaluated_on') }}
),

final as (
    select
        active_customers.month,
        'contract_valid_rate' as indicator,
        active_customers.cust_no as item_id,
        active_customers.unit_code,
        manager.team_code,
        cast(null as {{ dbt.type_string() }}) as person_id,
        false as is_pending,
        coalesce(standing_contracts.is_valid, false) as is_success,
        cast(null as double) as points
    from active_customers
    left join standing_contracts
        on
            active_customers.month = standing_contracts.month
            and active_customers.cust_no = standing_contracts.cust_no
            and standing_contracts.recency = 1
    left join staff_versions as manager
        on
            active_customers.manager_id = manager.staff_id
            and {{ valid_at('manager', 'active_customers.evaluated_at') }}
)

select * from final
