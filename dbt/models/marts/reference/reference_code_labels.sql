{#- 代码名称: the display names of every code shown anywhere (seed code_labels), for the
    dashboard, the reminder texts and the management workbook. Published as marts.code_labels;
    the model has its own name because the seed it copies is called code_labels. -#}
{{ config(alias='code_labels') }}
with labels as (
    select * from {{ ref('code_labels') }}
),

final as (
    select
        kind,
        code,
        zh,
        en,
    from labels
)

select * from final
