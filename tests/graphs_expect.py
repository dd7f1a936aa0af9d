"""Hand-computed `--only` resolutions for every Casper's target (catalogue §1.4 DAGs)."""

CD, SDP = "Canonical_Data", "Spark_Declarative_Pipeline"
ONLY_EXPECTATIONS = [
    # the stream depends on the agent whose endpoint it calls (the original left that edge out)
    ("default", "+lakebase", [CD, SDP, "Refund_Recommender_Agent", "Refund_Recommender_Stream", "Lakebase_Reverse_ETL"]),
    ("default", "+Lakebase_Reverse_ETL", [CD, SDP, "Refund_Recommender_Agent", "Refund_Recommender_Stream",
                                          "Lakebase_Reverse_ETL"]),
    ("default", "+apps", [CD, SDP, "Refund_Recommender_Agent", "Refund_Recommender_Stream", "Lakebase_Reverse_ETL",
                          "Databricks_App_Refund_Manager"]),
    ("default", "lakeflow+1", [SDP, "Refund_Recommender_Agent", "Refund_Recommender_Stream"]),
    ("complaints", "+complaint_agent_stream", [CD, SDP, "Complaint_Agent", "Complaint_Generator_Stream",
                                               "Complaint_Agent_Stream"]),
    ("complaints", "tag:stream", ["Complaint_Generator_Stream", "Complaint_Agent_Stream"]),
    ("free", "lakeflow+", [SDP]),
    ("free", "*", [CD, SDP]),
    ("menus", "+menu_supervisor", [CD, "Inspection_Data", "Inspection_Knowledge_Agent", "Menu_Data",
                                   "Menu_Knowledge_Agent", "Menu_Pipeline", "Menu_Genie", "Menu_Supervisor"]),
    ("menus", "tag:agent,+menu_supervisor", ["Inspection_Knowledge_Agent", "Menu_Genie", "Menu_Knowledge_Agent",
                                             "Menu_Supervisor"]),
    # the menu assistant reads the menu volume only: it is not downstream of the inspections
    ("menus", "inspection_data+", ["Inspection_Data", "Inspection_Knowledge_Agent", "Menu_Pipeline", "Menu_Genie",
                                   "Menu_Supervisor"]),
    # the stream depends on the agent (its endpoint, its reports table; the original ordered neither)
    ("support", "+support_lakebase", [CD, SDP, "Support_Request_Generator_Stream", "Support_Request_Agent",
                                      "Support_Request_Agent_Stream", "Support_Lakebase_And_App"]),
    ("support", "Support_Request_Agent", ["Support_Request_Agent"]),
    # complaint_lakebase alone has no dependency inside the selection, so it sorts right after Canonical_Data
    ("all", "+apps complaint_lakebase", [CD, "Complaint_Lakebase", SDP, "Refund_Recommender_Agent",
                                         "Refund_Recommender_Stream", "Lakebase_Reverse_ETL",
                                         "Databricks_App_Refund_Manager"]),
    ("all", "tag:refunds", ["Refund_Recommender_Agent", "Refund_Recommender_Stream", "Lakebase_Reverse_ETL",
                            "Databricks_App_Refund_Manager"]),
]
