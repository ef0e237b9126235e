{% macro floats_differ(left, right, relative=1e-9) -%}
    {#- True when two floating-point sums differ by more than `relative` times their size (at
        least 1, so values near zero compare to an absolute `relative`). Sums of doubles
        change in their last digits with the order of summation, so an absolute tolerance
        that holds at 1,000 lines fails at 10M lines; a relative one does not. -#}
    (abs(({{ left }}) - ({{ right }})) > {{ relative }} * greatest(1, abs({{ left }}), abs({{ right }})))
{%- endmacro %}
