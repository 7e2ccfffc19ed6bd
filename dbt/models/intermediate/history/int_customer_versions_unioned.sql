{#- Every version of every customer (history.customers, plus source rows history has not
    recorded, valid from the beginning) with its customer class of the time limits and
    whether it is non-residential. -#}
{{ versions_with_unrecorded(
    'history_customers',
    'stg_marketing__customers',
    'cust_no',
    ['unit_code', 'cust_class', 'voltage_class', 'supply_mode', 'manager_id'],
) }}

select
    *,
    {{ customer_class('cust_class', 'voltage_class', 'supply_mode') }} as customer_class,
    cust_class = 'non_residential' as is_non_residential
from final
