{{ config(alias='staff', unique_key=['staff_id', 'valid_from']) }}

{#- staff has no updated_at: a change is valid from the as_of of the build that first saw it. -#}
{{ scd2_history('stg_marketing__staff', 'staff_id', ['team_code', 'post', 'is_active'], as_of()) }}
