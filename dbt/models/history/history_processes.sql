{{ config(alias='processes', unique_key=['proc_id', 'valid_from']) }}

{{ scd2_history('stg_marketing__processes', 'proc_id', ['status', 'owner_id', 'unit_code'], 'updated_at') }}
