module example.com/goscope/churn

go 1.19
