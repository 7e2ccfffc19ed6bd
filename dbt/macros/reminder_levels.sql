{#- The level of a reminder with a due date (DOMAIN.md §6: hand-over, rectification,
    borrowing return): overdue after the due date, warning on it, a reminder before. -#}
{% macro level_by_due_date(due_on) -%}
    case
        when {{ as_of_date() }} > {{ due_on }} then 'overdue'
        when {{ as_of_date() }} = {{ due_on }} then 'warning'
        else 'reminder'
    end
{%- endmacro %}

{#- A due date's last second: the due_at of a reminder due on that day. -#}
{% macro end_of_day(day) -%}
    {{ dbt.dateadd('second', -1, dbt.dateadd('day', 1, 'cast(' ~ day ~ ' as timestamp)')) }}
{%- endmacro %}
