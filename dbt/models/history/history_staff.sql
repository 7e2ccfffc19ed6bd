{{
    config(
        alias='staff',
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['staff_id', 'valid_from'],
        full_refresh=false,
    )
}}

{#- staff has no updated_at: a change is valid from the as_of of the build that first saw it. -#}
{{ scd2_history('stg_marketing__staff', 'staff_id', ['team_code', 'post', 'is_active'], as_of()) }}
