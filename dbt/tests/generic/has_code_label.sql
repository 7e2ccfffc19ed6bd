{#- Rows whose code in `column_name` has no row of `kind` in the label catalogue (seed
    code_labels): a code the marts show must have a display name. Nulls are not codes. -#}
{% test has_code_label(model, column_name, kind) %}
    select distinct coded.{{ column_name }} as unlabelled_code
    from {{ model }} as coded
    left join {{ ref('code_labels') }} as labels
        on
            labels.kind = '{{ kind }}'
            and coded.{{ column_name }} = labels.code
    where
        coded.{{ column_name }} is not null
        and labels.code is null
{% endtest %}
