SELECT order_day, sum(revenue) AS revenue FROM IDENTIFIER(:table) GROUP BY order_day
