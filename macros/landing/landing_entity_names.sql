{% macro landing_entity_names() -%}
    {#- The nine entities of the landing contract, in contract order (from landing_contract(),
        a static value generated from the landing source, so that models looping over it
        declare their refs at parse time); the singular test assert_landing_reconciles fails if
        a source table is missing here. -#}
    {{ return(landing_contract().keys() | list) }}
{%- endmacro %}
