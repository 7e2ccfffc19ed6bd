{#- The customer class the time limits are set by (DOMAIN.md §7): residential, low-voltage
    non-residential, high-voltage dual or single supply. One definition for the staging model
    and the customers' history. -#}
{% macro customer_class(cust_class, voltage_class, supply_mode) -%}
    case
        when {{ cust_class }} = 'residential' then 'res'
        when {{ voltage_class }} = 'low' then 'lv_nonres'
        when {{ supply_mode }} = 'dual' then 'hv_dual'
        else 'hv_single'
    end
{%- endmacro %}
