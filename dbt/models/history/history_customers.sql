{{
    config(
        alias='customers',
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['cust_no', 'valid_from'],
        full_refresh=false,
    )
}}

{{ scd2_history(
    'stg_marketing__customers',
    'cust_no',
    ['unit_code', 'cust_class', 'voltage_class', 'supply_mode', 'manager_id'],
    'updated_at',
) }}
