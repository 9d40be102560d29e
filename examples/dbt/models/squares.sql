-- ten numbers and their squares, grouped by parity, in the session's Spark
select id % 2 as parity, count(*) as numbers, sum(id * id) as sum_of_squares
from range(10)
group by id % 2
