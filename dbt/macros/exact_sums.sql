{#- Sums of figures kept to a fixed number of decimals, summed exactly: a double sum depends
    on the order the rows are added in (a rebuild that stores them in another order moves
    the last bits, and a total on a rounding boundary then flips by 0.01). Figures are summed
    as whole units of 10^-digits and divided back only for display. -#}
{% macro sum_in_units(value_expr, digits=4) -%}
    sum(cast(round(({{ value_expr }}) * {{ 10 ** digits }}) as bigint))
{%- endmacro %}

{#- numerator / denominator × 10^digits rounded half up to a whole number, for positive
    integer numerator and denominator (exact: no floating point on the way). -#}
{% macro ratio_half_up(numerator, denominator, digits=0) -%}
    {{ integer_divide('2 * (' ~ numerator ~ ') * ' ~ (10 ** digits) ~ ' + (' ~ denominator ~ ')', '2 * (' ~ denominator ~ ')') }}
{%- endmacro %}
