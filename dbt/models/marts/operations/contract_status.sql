{#- 合同状态: one row per non-residential customer active at date(as_of) (DOMAIN.md §8),
    with its current contract (int_current_contracts_selected: the non-terminated contract
    signed by then with the latest expires_on) and the contract alert of §6. A customer
    without a current contract is invalid and overdue. contract_group puts each customer in exactly one group
    (no_contract, expired, expiring_week, expiring_month, valid) for the dashboard's filters.
    term_exceeded (DOMAIN §4): the current contract's term (signed_on to expires_on) is longer
    than its customer's voltage-class norm (seed contract_term_norms) by more than
    contract_term_grace_days days; false without a current contract or a norm. -#}
with customers as (
    select * from {{ ref('stg_marketing__customers') }}
),

current_contracts as (
    select * from {{ ref('int_current_contracts_selected') }}
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

term_norms as (
    select * from {{ ref('contract_term_norms') }}
),

active_customers as (
    select * from customers
    where
        is_non_residential
        and opened_on <= {{ as_of_date() }}
        and (closed_on is null or closed_on > {{ as_of_date() }})
),

windows as (
    select
        cast({{ dbt.dateadd('month', threshold('contract_alert_months', 'integer'), as_of_date()) }} as date)
            as alert_until_on,
        cast({{ dbt.dateadd('day', threshold('contract_warning_days', 'integer'), as_of_date()) }} as date)
            as warn_until_on
),

joined as (
    select
        active_customers.cust_no,
        active_customers.unit_code,
        active_customers.manager_id,
        current_contracts.contract_id,
        active_customers.cust_name,
        staff.staff_name as manager_name,
        staff.team_code as manager_team_code,
        current_contracts.is_auto_renew as auto_renew,
        coalesce(current_contracts.is_valid, false) as valid,
        case
            when current_contracts.contract_id is null then 'overdue'
            when current_contracts.is_auto_renew then null
            when current_contracts.expires_on < {{ as_of_date() }} then 'overdue'
            when current_contracts.expires_on <= windows.warn_until_on then 'warning'
            when current_contracts.expires_on <= windows.alert_until_on then 'reminder'
        end as alert_level,
        {{ dbt.datediff(as_of_date(), 'current_contracts.expires_on', 'day') }} as days_to_expiry, -- noqa: LT05
        current_contracts.signed_on,
        current_contracts.expires_on,
        windows.alert_until_on,
        active_customers.opened_on,
        term_norms.term_months as term_norm_months,
        {{ dbt.datediff(
            'cast(' ~ dbt.dateadd('month', 'term_norms.term_months', 'current_contracts.signed_on') ~ ' as date)',
            'current_contracts.expires_on',
            'day'
        ) }} as term_over_days
    from active_customers
    cross join windows
    left join current_contracts
        on active_customers.cust_no = current_contracts.cust_no
    left join staff
        on active_customers.manager_id = staff.staff_id
    left join term_norms
        on active_customers.voltage_class = term_norms.voltage_class
),

classified as (
    select
        *,
        case
            when contract_id is null then 'no_contract'
            when valid then 'valid'
            else 'expired'
        end as validity,
        case
            when contract_id is null then 'no_contract'
            when not valid then 'expired'
            when alert_level = 'warning' then 'expiring_week'
            when alert_level = 'reminder' then 'expiring_month'
            else 'valid'
        end as contract_group
    from joined
),

final as (
    select
        cust_no,
        unit_code,
        manager_id,
        contract_id,
        cust_name,
        manager_name,
        manager_team_code,
        alert_level,
        {{ code_label('level', 'alert_level') }} as alert_level_zh,
        {{ code_label('contract_validity', 'validity') }} as validity_zh,
        contract_group,
        days_to_expiry,
        auto_renew,
        valid,
        signed_on,
        expires_on,
        alert_until_on,
        opened_on,
        term_norm_months,
        term_over_days,
        coalesce(term_over_days > {{ threshold('contract_term_grace_days', 'integer') }}, false) as term_exceeded
    from classified
)

select * from final
