{{
    config(
        alias='processes',
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['proc_id', 'valid_from'],
        full_refresh=false,
    )
}}

{{ scd2_history('stg_marketing__processes', 'proc_id', ['status', 'owner_id', 'unit_code'], 'updated_at') }}
