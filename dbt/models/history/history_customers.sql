{{ config(alias='customers', unique_key=['cust_no', 'valid_from']) }}

{{ scd2_history(
    'stg_marketing__customers',
    'cust_no',
    ['unit_code', 'cust_class', 'voltage_class', 'supply_mode', 'manager_id'],
    'updated_at',
) }}
