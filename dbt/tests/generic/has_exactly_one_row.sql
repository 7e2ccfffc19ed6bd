{#- Fails unless the model holds exactly one row (a one-row fact such as build_info). -#}
{% test has_exactly_one_row(model) %}
    select count(*) as row_count
    from {{ model }}
    having count(*) <> 1
{% endtest %}
