{#- 催办汇总: one row per person with open reminders as of as_of — counts by level and
    category, and a rendered Chinese text (overdue first, then warnings, then reminders,
    earliest deadline first) ready for SMS, e-mail or a group webhook. Every overdue
    reminder is an urge (催办); has_urge marks the people who must be urged. -#}
{%- set max_lines = var('reminder_digest_max_lines', 20) -%}
{%- set categories = [
    'to_add', 'to_send', 'to_hand_over', 'dossier_to_transfer', 'contract', 'sla',
    'rectification', 'borrowing_return',
] -%}
with reminders as (
    select * from {{ ref('reminders') }}
    where person_id is not null
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

contacts as (
    select * from {{ ref('stg_marketing__staff') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by person_id
            order by
                case level when 'overdue' then 0 when 'warning' then 1 else 2 end,
                due_at,
                category,
                object_id
        ) as line_no
    from reminders
),

lines as (
    select
        person_id,
        line_no,
        {{ dbt.concat([
            "'- ['", 'level_zh', "'] '", 'category_zh', "' '", 'object_id',
            "'（自 '", "coalesce(substring(cast(since as " ~ dbt.type_string() ~ "), 1, 16), '-')",
            "'，期限 '", "coalesce(substring(cast(due_at as " ~ dbt.type_string() ~ "), 1, 16), '-')",
            "'）'",
        ]) }} as line_text
    from ranked
    where line_no <= {{ max_lines }}
),

counted as (
    select
        person_id,
        count(*) as total_count,
        sum(case when level = 'overdue' then 1 else 0 end) as overdue_count,
        sum(case when level = 'warning' then 1 else 0 end) as warning_count,
        sum(case when level = 'reminder' then 1 else 0 end) as reminder_count,
        {%- for category in categories %}
            sum(case when category = '{{ category }}' then 1 else 0 end) as {{ category }}_count,
        {%- endfor %}
        min(case when level = 'overdue' then due_at end) as earliest_overdue_due_at
    from reminders
    group by person_id
),

rendered_lines as (
    select
        person_id,
        {{ dbt.listagg('line_text', 'chr(10)', 'order by line_no') }} as lines_text
    from lines
    group by person_id
),

final as (
    select
        counted.person_id,
        staff.team_code,
        staff.unit_code,
        staff.staff_name as person_name,
        contacts.mobile,
        contacts.email,
        {{ dbt.concat([
            "'档案催办：'", "coalesce(staff.staff_name, counted.person_id)", "' '",
            "substring(cast(" ~ as_of_date() ~ " as " ~ dbt.type_string() ~ "), 1, 10)",
            "'（'", code_label('level', "'overdue'"), "' '",
            "cast(counted.overdue_count as " ~ dbt.type_string() ~ ")", "' 条）'",
        ]) }} as subject,
        {{ dbt.concat([
            "coalesce(staff.staff_name, counted.person_id)",
            "'，截至 '", "substring(cast(" ~ as_of() ~ " as " ~ dbt.type_string() ~ "), 1, 16)",
            "' 您有 '", "cast(counted.total_count as " ~ dbt.type_string() ~ ")", "' 条待办：'",
            code_label('level', "'overdue'"), "' '",
            "cast(counted.overdue_count as " ~ dbt.type_string() ~ ")", "'，'",
            code_label('level', "'warning'"), "' '",
            "cast(counted.warning_count as " ~ dbt.type_string() ~ ")", "'，'",
            code_label('level', "'reminder'"), "' '",
            "cast(counted.reminder_count as " ~ dbt.type_string() ~ ")", "'。'",
            "chr(10)", "rendered_lines.lines_text",
            "case when counted.total_count > " ~ max_lines ~ " then " ~ dbt.concat([
                "chr(10)", "'- …… 另有 '",
                "cast(counted.total_count - " ~ max_lines ~ " as " ~ dbt.type_string() ~ ")", "' 条'",
            ]) ~ " else '' end",
        ]) }} as body,
        counted.total_count,
        counted.overdue_count,
        counted.warning_count,
        counted.reminder_count,
        {%- for category in categories %}
            counted.{{ category }}_count,
        {%- endfor %}
        counted.overdue_count > 0 as has_urge,
        counted.earliest_overdue_due_at
    from counted
    inner join rendered_lines
        on counted.person_id = rendered_lines.person_id
    left join staff
        on counted.person_id = staff.staff_id
    left join contacts
        on counted.person_id = contacts.staff_id
)

select * from final
