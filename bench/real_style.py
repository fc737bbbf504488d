"""A labelled bank in the styles real certification banks have, for the duplicate detector.

Writes ``tests/fixtures/dedup-real-style/``: ``bank/`` (``qbank.yaml`` and question files) and
``labels.yaml``:
questions written the way crowd-sourced cloud-certification banks are written, and a label for
every pair a reviewer would look at twice:

* ``duplicate`` — the same question posted twice: typos, options in another order, changed
  punctuation or case, an exhibit re-posted under another name ("Question 119" vs
  "Question 123", another image path), a series item or case-study ask posted again;
* ``sibling`` — different questions that look alike: Microsoft-style *series* items (a shared
  scenario, "Solution: …. Does this meet the goal?", Yes/No), case-study asks (a long shared
  case, different short asks), swapped key terms (Oracle vs MySQL, Premium vs Standard), a
  changed number or negation, and pairs with different keys neither of which is offered in
  the other question;
* ``conflict`` — the same question keyed differently: one's correct option is offered,
  unmarked, in the other.

Pairs not listed are unrelated. Each label is the judgement written next to the variant that
creates the pair (the kind of change decides it, as a reviewer would decide it on reading
the two questions); ``bench/dedup_styles.py`` measures the detector against them.

``python bench/real_style.py`` rewrites the fixture (deterministic).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "dedup-real-style"


@dataclass
class Q:
    id: str
    text: str
    options: list[str]
    key: int | set[int]
    topic: str = ""

    @property
    def keys(self) -> set[int]:
        return {self.key} if isinstance(self.key, int) else set(self.key)


@dataclass
class Bank:
    files: dict[str, list[Q]] = field(default_factory=dict)
    labels: list[tuple[str, str, str, str]] = field(default_factory=list)  # a, b, label, why

    def add(self, file: str, q: Q) -> Q:
        self.files.setdefault(file, []).append(q)
        return q

    def label(self, a: Q, b: Q, label: str, why: str) -> None:
        self.labels.append((a.id, b.id, label, why))


# -- content ----------------------------------------------------------------------------------

#: (stem, correct option, three wrong options): standalone questions, mutually unrelated
BASES: list[tuple[str, str, list[str]]] = [
    (
        "You need to store unstructured data such as images and videos at the lowest cost. "
        "Which Azure service should you use?",
        "Azure Blob Storage",
        ["Azure SQL Database", "Azure Cosmos DB", "Azure Table Storage"],
    ),
    (
        "Your company wants to run containers without managing servers or orchestrators. "
        "Which AWS service meets this requirement?",
        "AWS Fargate",
        ["Amazon EC2", "Amazon Lightsail", "AWS Outposts"],
    ),
    (
        "A web application must keep user session state when instances are replaced by the "
        "Auto Scaling group. Where should the session data be stored?",
        "Amazon ElastiCache",
        ["The instance store volume", "An EBS snapshot", "The launch template user data"],
    ),
    (
        "Which Google Cloud product provides a serverless data warehouse that can query "
        "petabytes of data with standard SQL?",
        "BigQuery",
        ["Cloud Spanner", "Cloud Bigtable", "Firestore"],
    ),
    (
        "An administrator needs to grant a contractor temporary access to a single storage "
        "container for seven days. What should the administrator create?",
        "A shared access signature (SAS) token",
        ["A new Azure AD tenant", "A storage account key rotation policy", "A resource lock"],
    ),
    (
        "Which protocol does a client use to obtain an IP address automatically when it joins "
        "a network?",
        "DHCP",
        ["DNS", "ARP", "SNMP"],
    ),
    (
        "A developer accidentally committed an access key to a public repository. What should "
        "be done first?",
        "Deactivate the exposed access key",
        ["Delete the repository", "Enable MFA on the root user", "Open a support case"],
    ),
    (
        "Your team must be alerted when monthly cloud spending exceeds the planned amount. "
        "What should you configure?",
        "A budget with an alert threshold",
        ["A resource tag policy", "A reserved instance purchase", "A cost allocation report"],
    ),
    (
        "Which Kubernetes object keeps a specified number of identical pod replicas running?",
        "Deployment",
        ["ConfigMap", "Service", "PersistentVolumeClaim"],
    ),
    (
        "Which port does HTTPS use by default?",
        "443",
        ["80", "22", "3389"],
    ),
    (
        "You are designing disaster recovery for a line-of-business application. The recovery "
        "point objective is one hour. What does this objective describe?",
        "The maximum acceptable amount of data loss measured in time",
        [
            "The maximum time allowed to restore service",
            "How often the application is patched",
            "The time needed to fail back to the primary region",
        ],
    ),
    (
        "A security team wants to record every API call made in an AWS account for auditing. "
        "Which service should they enable?",
        "AWS CloudTrail",
        ["Amazon Inspector", "AWS Config", "Amazon Macie"],
    ),
    (
        "Which Azure feature lets you enforce that all resources are created only in approved "
        "regions?",
        "Azure Policy",
        ["Azure Blueprints artifacts", "Role-based access control", "Management locks"],
    ),
    (
        "An e-commerce site sees traffic spikes during sales. Which design lets the web tier "
        "add capacity automatically?",
        "An Auto Scaling group behind a load balancer",
        ["A larger instance type", "A dedicated host", "A placement group"],
    ),
    (
        "A data analyst needs to run ad hoc SQL queries directly against CSV files in an S3 "
        "bucket without loading them into a database. Which service should be used?",
        "Amazon Athena",
        ["Amazon Redshift", "Amazon RDS", "AWS Glue DataBrew"],
    ),
    (
        "Which type of firewall rule set in Azure is applied to a subnet or network interface?",
        "A network security group",
        ["An application security group", "A route table", "A service endpoint"],
    ),
    (
        "Users report that a website is slow for visitors on other continents. Which service "
        "should you add to cache static content close to them?",
        "A content delivery network",
        ["A VPN gateway", "A read replica", "A NAT gateway"],
    ),
    (
        "Which RAID level stripes data across disks without any redundancy?",
        "RAID 0",
        ["RAID 1", "RAID 5", "RAID 10"],
    ),
    (
        "A company must retain backups for seven years for compliance and rarely restores "
        "them. Which storage tier is most cost-effective?",
        "Archive tier",
        ["Hot tier", "Premium tier", "Cool tier"],
    ),
    (
        "Which command lists the running containers on a Docker host?",
        "docker ps",
        ["docker images", "docker build", "docker logs"],
    ),
    (
        "A manager wants employees to sign in once and reach all company SaaS applications. "
        "Which capability provides this?",
        "Single sign-on",
        ["Conditional access", "Privileged identity management", "Password writeback"],
    ),
    (
        "Which DNS record type maps a host name to an IPv6 address?",
        "AAAA",
        ["A", "MX", "PTR"],
    ),
    (
        "You need to connect an on-premises datacenter to a virtual network over a private, "
        "dedicated connection that does not use the public internet. What should you use?",
        "ExpressRoute",
        ["Point-to-site VPN", "Virtual network peering", "Azure Bastion"],
    ),
    (
        "Which principle states that users should receive only the permissions they need to "
        "do their work?",
        "Least privilege",
        ["Defense in depth", "Separation of duties", "Zero trust"],
    ),
    (
        "A team deploys infrastructure repeatedly to several environments and wants the "
        "definitions under version control. What approach should they adopt?",
        "Infrastructure as code templates",
        ["Manual deployments from the portal", "Golden images only", "A change advisory board"],
    ),
    (
        "Which service sends push notifications, SMS and email messages to subscribers of a topic?",
        "Amazon SNS",
        ["Amazon SQS", "Amazon MQ", "Amazon Kinesis Data Streams"],
    ),
    (
        "What is the main benefit of deploying a virtual machine scale set across availability "
        "zones?",
        "It keeps the application running if one datacenter fails",
        [
            "It lowers the price of each instance",
            "It removes the need for a load balancer",
            "It encrypts data between instances",
        ],
    ),
    (
        "An auditor asks for proof that encryption keys are stored in hardware security "
        "modules validated to FIPS 140-2 Level 3. Which option should you use?",
        "A dedicated HSM service",
        ["Keys stored in application settings", "Software-protected vault keys", "TLS 1.2"],
    ),
    (
        "Which metric best shows whether a classification model misses many positive cases?",
        "Recall",
        ["Precision", "Accuracy", "Specificity"],
    ),
    (
        "A mobile game stores player profiles as JSON documents and needs single-digit "
        "millisecond reads worldwide. Which database fits best?",
        "A globally distributed NoSQL document database",
        ["A single-region relational database", "A data warehouse", "A graph database"],
    ),
    (
        "Which tool would you use to run a command on hundreds of managed Windows servers "
        "without opening inbound ports?",
        "AWS Systems Manager Run Command",
        ["Remote Desktop", "An SSH bastion host", "AWS Direct Connect"],
    ),
    (
        "What does a service level agreement of 99.9 percent availability allow per month?",
        "About 43 minutes of downtime",
        ["About 4 minutes of downtime", "About 7 hours of downtime", "No downtime at all"],
    ),
    (
        "A finance department wants invoices for each project. Which practice makes cloud "
        "costs attributable to projects?",
        "Tagging resources with a project tag",
        ["Using one subscription for all projects", "Buying savings plans", "Enabling MFA"],
    ),
    (
        "Which layer of the OSI model is responsible for routing packets between networks?",
        "Network layer",
        ["Data link layer", "Transport layer", "Session layer"],
    ),
    (
        "An application writes logs that must be searchable for thirty days and then deleted "
        "automatically. What should you configure on the log store?",
        "A retention period of thirty days",
        ["A read-only lock", "Geo-redundant replication", "Soft delete for ninety days"],
    ),
    (
        "Which Azure compute option runs a function in response to a queue message and bills "
        "only for execution time?",
        "Azure Functions on the Consumption plan",
        ["Azure Virtual Machines", "Azure Batch pools", "Azure Dedicated Host"],
    ),
    (
        "A pipeline must fail when unit tests fail so that broken code is never deployed. "
        "Where should the tests run?",
        "In the continuous integration build stage",
        ["After production deployment", "On developer laptops only", "In a weekly manual review"],
    ),
    (
        "Which encryption approach protects data while it travels between a browser and a "
        "web server?",
        "TLS",
        ["BitLocker", "Transparent data encryption", "Server-side encryption with KMS"],
    ),
    (
        "An operations team wants to be paged when CPU usage on a database server stays above "
        "90 percent for ten minutes. What should they create?",
        "A metric alarm",
        ["A dashboard", "A log export", "A trail"],
    ),
    (
        "Which file system permission model does Linux use for owner, group and others?",
        "Read, write and execute bits",
        ["Access control entries only", "Security descriptors", "Mandatory integrity levels"],
    ),
    (
        "A startup wants to pay nothing upfront and only for the compute it uses. Which "
        "pricing model should it choose?",
        "Pay-as-you-go",
        ["Three-year reserved instances", "Dedicated hosts", "Enterprise agreement prepayment"],
    ),
    (
        "Which service discovers sensitive personal data such as credit card numbers in S3 "
        "buckets?",
        "Amazon Macie",
        ["Amazon GuardDuty", "AWS Shield", "Amazon Detective"],
    ),
    (
        "What is the purpose of a NAT gateway in a virtual private cloud?",
        "To let instances in private subnets reach the internet without accepting inbound "
        "connections",
        [
            "To connect two VPCs in different regions",
            "To terminate VPN connections",
            "To balance traffic between instances",
        ],
    ),
    (
        "A hospital must ensure only doctors can read patient records while nurses can only "
        "update vital signs. Which model should the application use?",
        "Role-based access control",
        ["Discretionary access by each user", "Shared administrator accounts", "IP allow lists"],
    ),
    (
        "Which SQL statement removes all rows from a table while keeping its structure?",
        "TRUNCATE TABLE",
        ["DROP TABLE", "ALTER TABLE", "DELETE DATABASE"],
    ),
    (
        "A company needs a managed message queue that decouples an order service from a "
        "billing service. Which service should it use?",
        "Amazon SQS",
        ["Amazon SES", "Amazon Cognito", "AWS Step Functions"],
    ),
    (
        "Which Git command creates a copy of a remote repository on your computer?",
        "git clone",
        ["git commit", "git rebase", "git stash"],
    ),
    (
        "Which Azure tool gives personalised recommendations to improve cost, security and "
        "reliability of deployed resources?",
        "Azure Advisor",
        ["Azure Monitor workbooks", "Azure Service Health", "Azure Resource Graph"],
    ),
    (
        "A mainframe batch job must be moved to the cloud with minimal code changes before a "
        "lease ends in three months. Which migration strategy fits?",
        "Rehost (lift and shift)",
        ["Refactor to microservices", "Repurchase a SaaS product", "Retire the job"],
    ),
    (
        "Which statistical measure is most affected by a few extreme outliers?",
        "The mean",
        ["The median", "The mode", "The interquartile range"],
    ),
    (
        "Which cloud service model gives the customer control of the operating system but "
        "not of the physical hardware?",
        "Infrastructure as a service",
        ["Software as a service", "Platform as a service", "Function as a service"],
    ),
    (
        "A penetration tester finds that a login form accepts the input ' OR 1=1 --. Which "
        "vulnerability is this?",
        "SQL injection",
        ["Cross-site scripting", "Clickjacking", "Directory traversal"],
    ),
    (
        "Which AWS support plan is the least expensive one that includes a technical account "
        "manager?",
        "Enterprise",
        ["Basic", "Developer", "Business"],
    ),
    (
        "Which Linux command changes the owner of a file?",
        "chown",
        ["chmod", "chgrp", "umask"],
    ),
    (
        "A machine learning team needs to label thousands of images with help from human "
        "workers. Which service provides this?",
        "Amazon SageMaker Ground Truth",
        ["Amazon Rekognition Custom Labels", "Amazon Comprehend", "AWS Glue"],
    ),
    (
        "During an incident, which document tells responders which steps to take and who to "
        "contact?",
        "The incident response plan",
        ["The acceptable use policy", "The data classification standard", "The asset register"],
    ),
    (
        "Which Azure service offers managed Apache Kafka-compatible event ingestion at "
        "millions of events per second?",
        "Azure Event Hubs",
        ["Azure Event Grid", "Azure Service Bus topics", "Azure Relay"],
    ),
    (
        "Which type of test checks that the parts of a system work together correctly?",
        "Integration test",
        ["Unit test", "Smoke test of one function", "Static analysis"],
    ),
]

#: (stem template with {T}, the correct option for each term, wrong options, the terms)
SWAPS: list[tuple[str, list[str], list[str], list[str]]] = [
    (
        "You plan to migrate an on-premises {T} database to Azure with minimal downtime. "
        "Which service should you use to perform the migration?",
        ["Azure Database Migration Service", "Azure Database Migration Service"],
        ["Azure Site Recovery", "Azure Data Box", "AzCopy"],
        ["Oracle", "MySQL"],
    ),
    (
        "Your company uses the {T} tier of Azure Cache for Redis. You need data persistence "
        "to survive a cache restart. What should you do?",
        ["Enable RDB persistence", "Upgrade to the Premium tier"],
        ["Add a second replica", "Enable geo-replication", "Scale out to more shards"],
        ["Premium", "Standard"],
    ),
    (
        "A company hosts a {T} workload on-premises and wants a fully managed relational "
        "database in AWS that is compatible with it. Which service should it choose?",
        ["Amazon RDS for PostgreSQL", "Amazon RDS for SQL Server"],
        ["Amazon DynamoDB", "Amazon Neptune", "Amazon Keyspaces"],
        ["PostgreSQL", "Microsoft SQL Server"],
    ),
    (
        "You need to monitor the performance of a {T} application running on virtual machines "
        "and trace requests end to end. Which agent should you install?",
        ["The Application Insights Java agent", "The Application Insights SDK for .NET"],
        ["The Dependency agent only", "The Log Analytics agent only", "The Diagnostics extension"],
        ["Java", ".NET"],
    ),
    (
        "A virtual machine running {T} needs disk encryption with keys kept in a vault. Which "
        "technology does Azure Disk Encryption use on this operating system?",
        ["BitLocker", "DM-Crypt"],
        ["EFS", "VeraCrypt", "FileVault"],
        ["Windows Server 2019", "Ubuntu 20.04"],
    ),
    (
        "Which storage redundancy option should you choose for a storage account in the {T} "
        "performance tier to keep three copies in one datacenter?",
        ["Locally redundant storage", "Locally redundant storage"],
        ["Geo-zone-redundant storage", "Read-access geo-redundant storage", "Object replication"],
        ["Standard", "Premium"],
    ),
    (
        "Your team writes serverless functions in {T}. Which hosting option supports this "
        "language on Linux with the lowest cost?",
        ["Azure Functions Consumption plan", "Azure Functions Premium plan"],
        ["Azure Kubernetes Service", "Azure Service Fabric", "Azure Batch"],
        ["Python", "PowerShell"],
    ),
    (
        "An application stores session data in {T}. Which AWS service offers a managed, "
        "compatible engine for it?",
        ["Amazon ElastiCache for Redis", "Amazon ElastiCache for Memcached"],
        ["Amazon MemoryDB for Valkey", "Amazon DocumentDB", "Amazon Timestream"],
        ["Redis", "Memcached"],
    ),
    (
        "You need to give the {T} team read access to all resources in a subscription. Which "
        "built-in role should you assign?",
        ["Reader", "Reader"],
        ["Owner", "Contributor", "User Access Administrator"],
        ["auditing", "finance"],
    ),
    (
        "A company is moving its {T} file shares to the cloud and needs SMB access from "
        "on-premises clients. Which service should it use?",
        ["Azure Files", "Amazon FSx for Windows File Server"],
        ["Azure Queue Storage", "Amazon S3 Glacier", "Azure Data Lake Storage Gen1"],
        ["Windows Server", "NetApp"],
    ),
    (
        "A retailer that runs its web shop on {T} wants to analyse clickstream logs in near "
        "real time and show dashboards. Which combination of services should it use?",
        ["Kinesis Data Streams and OpenSearch Service", "Event Hubs and Azure Data Explorer"],
        ["S3 Glacier and Athena", "Batch and Data Box", "Backup and Site Recovery"],
        ["AWS", "Azure"],
    ),
    (
        "Your organization uses {T} as its identity provider. Users must sign in to the AWS "
        "Management Console with their corporate credentials. What should you configure?",
        ["SAML 2.0 federation with IAM Identity Center", "SAML 2.0 federation with IAM"],
        ["IAM users with long-term keys", "Amazon Cognito user pools", "AWS Directory Sync"],
        ["Okta", "Active Directory Federation Services"],
    ),
    (
        "A {T} cluster must scale its worker nodes automatically when pods are pending. Which "
        "component should you enable?",
        ["The cluster autoscaler", "Karpenter"],
        ["The vertical pod autoscaler", "A DaemonSet", "A node selector"],
        ["AKS", "EKS"],
    ),
    (
        "You deploy a {T} virtual machine and must connect to it securely from the portal "
        "without a public IP address. Which service should you use?",
        ["Azure Bastion", "Azure Bastion"],
        ["A public load balancer", "Just-in-time VM access on a public IP", "Azure Front Door"],
        ["Linux", "Windows"],
    ),
    (
        "A company needs to back up its {T} workloads running on premises to the cloud with "
        "a single service. What should it use?",
        ["Azure Backup with the MARS agent", "Azure Backup Server"],
        ["Azure Migrate", "Azure Site Recovery only", "Azure Import/Export"],
        ["file server", "Hyper-V"],
    ),
    (
        "A developer must call the {T} API from a web application using a token. Which OAuth "
        "2.0 flow should a single-page application use?",
        ["Authorization code flow with PKCE", "Authorization code flow with PKCE"],
        ["Resource owner password flow", "Client credentials flow", "Device code flow"],
        ["Microsoft Graph", "Google Drive"],
    ),
    (
        "You must choose a {T} SKU of Azure Load Balancer that supports availability zones. "
        "Is this possible with the chosen SKU?",
        ["Yes, the Standard SKU is zone-redundant", "No, the Basic SKU has no zone support"],
        ["Only with a NAT gateway", "Only in paired regions", "Only for IPv6 traffic"],
        ["Standard", "Basic"],
    ),
    (
        "A company runs {T} and needs a managed service to run Apache Spark jobs on it. "
        "Which service should it use?",
        ["Amazon EMR", "Azure HDInsight"],
        ["AWS Batch", "Azure Logic Apps", "Amazon Lex"],
        ["AWS", "Azure"],
    ),
    (
        "Which tool should an administrator use to manage {T} resources from a command line "
        "on any operating system?",
        ["The Azure CLI", "The AWS CLI"],
        ["Windows Admin Center", "The Server Manager console", "Microsoft Configuration Manager"],
        ["Azure", "AWS"],
    ),
    (
        "You need to meet a requirement that a {T} database can fail over automatically to "
        "another region. Which feature should you configure?",
        ["Auto-failover groups", "Aurora Global Database"],
        ["Read scale-out", "Point-in-time restore", "Long-term retention"],
        ["Azure SQL Database", "Amazon Aurora"],
    ),
]

#: swaps of an incidental common word (same options, same key): the same question
INCIDENTAL = {("auditing", "finance")}

#: series families: (shared scenario, goal, [(solution, meets the goal?)])
SERIES: list[tuple[str, list[tuple[str, bool]]]] = [
    (
        "You have an Azure subscription that contains a virtual network named VNet1. VNet1 "
        "contains two subnets named Subnet1 and Subnet2. You deploy a virtual machine named "
        "VM1 to Subnet1 and a virtual machine named VM2 to Subnet2. You need to ensure that "
        "VM2 cannot receive traffic from the internet on port 3389.",
        [
            (
                "You associate a network security group that denies inbound port 3389 to Subnet2",
                True,
            ),
            ("You add a user-defined route to Subnet2 that sends traffic to VM1", False),
            ("You enable Azure DDoS Protection Standard on VNet1", False),
            ("You remove the public IP address from VM2", True),
        ],
    ),
    (
        "Your company has an Azure Active Directory tenant that contains a user named User1. "
        "You need to ensure that User1 can create resource groups in a subscription named "
        "Sub1 but cannot assign roles to other users.",
        [
            ("You assign User1 the Contributor role for Sub1", True),
            ("You assign User1 the Owner role for Sub1", False),
            ("You assign User1 the Reader role for Sub1", False),
            ("You assign User1 the User Access Administrator role for Sub1", False),
        ],
    ),
    (
        "You have an Azure web app named App1 that runs in the Standard tier. App1 experiences "
        "slow response times during business hours. You need to ensure that App1 scales out "
        "automatically when the average CPU usage exceeds 70 percent.",
        [
            (
                "You configure an autoscale rule on the App Service plan based on CPU percentage",
                True,
            ),
            ("You move App1 to the Free tier", False),
            ("You enable the Always On setting", False),
            ("You add a deployment slot to App1", False),
        ],
    ),
    (
        "You manage an Azure Storage account named storage1 that contains a blob container "
        "named archive. Files in archive are accessed once a year. You need to reduce the "
        "storage costs for the container without deleting any file.",
        [
            ("You create a lifecycle management rule that moves blobs to the Archive tier", True),
            ("You enable soft delete on storage1", False),
            ("You change the replication of storage1 to geo-redundant storage", False),
            ("You set the default access tier of storage1 to Cool", True),
        ],
    ),
    (
        "You have an on-premises network and an Azure virtual network named VNet1. You need "
        "to connect the on-premises network to VNet1 by using a site-to-site VPN. The "
        "solution must minimize administrative effort.",
        [
            ("You create a virtual network gateway and a local network gateway", True),
            ("You create a virtual network peering between the networks", False),
            ("You deploy Azure Firewall to VNet1", False),
        ],
    ),
    (
        "Your company has an AWS account with a VPC that contains public and private subnets. "
        "EC2 instances in the private subnets must download software updates from the "
        "internet. The instances must not be reachable from the internet.",
        [
            ("You create a NAT gateway in a public subnet and route private traffic to it", True),
            (
                "You attach an internet gateway and assign public IP addresses to the instances",
                False,
            ),
            ("You create a VPC endpoint for Amazon S3", False),
            ("You add an inbound rule for port 443 to the security group", False),
        ],
    ),
    (
        "You have an Azure SQL database named DB1. You need to ensure that DB1 can be "
        "restored to any point in time within the last 35 days with the least cost.",
        [
            ("You configure the short-term retention policy to 35 days", True),
            ("You configure long-term retention with weekly backups for five weeks", False),
            ("You create an active geo-replica of DB1", False),
        ],
    ),
    (
        "You have a Microsoft 365 tenant. Users in the sales department must use multi-factor "
        "authentication only when they sign in from outside the corporate network.",
        [
            ("You create a Conditional Access policy that excludes trusted locations", True),
            ("You enable security defaults for the tenant", False),
            ("You enable per-user MFA for all sales users", False),
            ("You configure a password expiration policy", False),
        ],
    ),
    (
        "You have an Azure Kubernetes Service cluster named AKS1. You need to ensure that "
        "pods in AKS1 can read secrets from an Azure key vault without storing credentials "
        "in the cluster.",
        [
            ("You enable a workload identity for the pods and grant it access to the vault", True),
            ("You store the vault access key in a Kubernetes ConfigMap", False),
            ("You enable HTTP application routing on AKS1", False),
        ],
    ),
    (
        "You plan to deploy an application to three Azure virtual machines. The application "
        "must remain available if a single datacenter in the region fails.",
        [
            ("You deploy the virtual machines to an availability set", False),
            ("You deploy the virtual machines across three availability zones", True),
            ("You deploy the virtual machines to a proximity placement group", False),
            ("You enable Azure Backup for the virtual machines", False),
        ],
    ),
]

SERIES_INTRO = (
    "Note: This question is part of a series of questions that present the same scenario. "
    "Each question in the series contains a unique solution that might meet the stated goals. "
    "Some question sets might have more than one correct solution, while others might not "
    "have a correct solution. After you answer a question in this section, you will NOT be "
    "able to return to it. As a result, these questions will not appear in the review screen."
)

#: case studies: (name, case text paragraphs, asks: (ask, correct, wrongs))
CASES: list[tuple[str, list[str], list[tuple[str, str, list[str]]]]] = [
    (
        "Contoso",
        [
            "Overview. Contoso, Ltd. is a manufacturing company that has a main office in "
            "Montreal and branch offices in Seattle and New York. The company has 2,500 "
            "employees who use desktop computers and laptops that run Windows 10.",
            "Existing environment. Contoso has an Active Directory forest named contoso.com "
            "that is synchronized to an Azure Active Directory tenant by using Azure AD "
            "Connect. The company has a line-of-business application named App1 that runs on "
            "two on-premises servers and uses a Microsoft SQL Server 2016 database. The "
            "Montreal office has a 1 Gbps internet connection and the branch offices have "
            "100 Mbps connections.",
            "Planned changes. Contoso plans to migrate App1 to Azure, to deploy a web front "
            "end in two Azure regions, and to move the file shares of the Seattle office to "
            "Azure. The company plans to retire the on-premises datacenter within two years.",
            "Technical requirements. Contoso identifies the following requirements: App1 must "
            "remain available if an Azure region fails; administrative effort must be "
            "minimized; all Azure resources must be tagged with a cost center; users must "
            "authenticate with their existing credentials; the database must support "
            "point-in-time restore for 30 days; and connections between the offices and "
            "Azure must be encrypted.",
        ],
        [
            (
                "You need to recommend a database service for App1. What should you recommend?",
                "Azure SQL Managed Instance",
                ["Azure Cosmos DB", "Azure Table Storage", "SQL Server on a single VM"],
            ),
            (
                "You need to ensure that all Azure resources are tagged with a cost center. What should you use?",
                "Azure Policy",
                ["Resource locks", "Management groups only", "Azure Advisor"],
            ),
            (
                "You need to recommend a solution for the Seattle file shares. What should you include?",
                "Azure File Sync",
                [
                    "Azure Blob Storage lifecycle rules",
                    "Azure Data Box Gateway",
                    "Azure NetApp Files backup",
                ],
            ),
            (
                "You need to recommend a load balancing solution for the web front end in two regions. What should you recommend?",
                "Azure Front Door",
                ["Azure Load Balancer Basic", "Application Gateway in one region", "A NAT gateway"],
            ),
        ],
    ),
    (
        "Fabrikam",
        [
            "Overview. Fabrikam, Inc. is an online retailer that sells outdoor equipment in "
            "North America and Europe. Its web shop runs on AWS in the us-east-1 Region and "
            "handles about 40,000 orders a day, with peaks of ten times that volume during "
            "seasonal sales.",
            "Current architecture. The web shop runs on Amazon EC2 instances in one "
            "Availability Zone behind a Classic Load Balancer. Product images are stored on "
            "the instances' EBS volumes. Orders are written to a MySQL database on a single "
            "EC2 instance. Nightly batch jobs export orders to the finance system by using "
            "FTP.",
            "Business requirements. Fabrikam wants to survive the loss of an Availability "
            "Zone, reduce the load on the web servers, keep order data for ten years, "
            "publish product images faster for European customers, and give the finance "
            "team a way to query order history without affecting the production database.",
            "Security requirements. Customer payment data must be encrypted at rest and in "
            "transit, administrator access must be logged, and the database must not be "
            "reachable from the internet.",
        ],
        [
            (
                "Which change should Fabrikam make to the database layer to meet the availability requirement?",
                "Migrate to Amazon RDS for MySQL with Multi-AZ",
                ["Add a second EBS volume", "Take hourly snapshots", "Use a larger instance type"],
            ),
            (
                "Where should Fabrikam store the product images?",
                "Amazon S3 with Amazon CloudFront",
                [
                    "Amazon EFS in one zone",
                    "Instance store volumes",
                    "Amazon S3 Glacier Deep Archive",
                ],
            ),
            (
                "How should the finance team query order history?",
                "Through a read replica of the database",
                [
                    "Directly on the primary instance",
                    "By restoring nightly snapshots on laptops",
                    "Through the FTP server",
                ],
            ),
            (
                "Which service should log administrator activity?",
                "AWS CloudTrail",
                ["Amazon CloudFront access logs", "VPC Flow Logs only", "AWS Trusted Advisor"],
            ),
        ],
    ),
    (
        "Litware",
        [
            "Overview. Litware, Inc. is a software company with 600 developers in three "
            "countries. Developers build containerized microservices written in Go and Python "
            "and deploy them to a Kubernetes cluster that runs in the company's datacenter.",
            "Problem statements. Builds take up to two hours because the build servers are "
            "shared; releases are manual and happen once a month; secrets such as database "
            "passwords are stored in the source repository; and the operations team cannot "
            "see which service causes an outage.",
            "Requirements. Litware plans to move to Google Cloud. It requires managed "
            "Kubernetes, builds that start within one minute of a commit, a deployment "
            "pipeline with automatic rollback, secrets kept outside the repository, "
            "centralized logs with thirty days of retention, and tracing of requests across "
            "services. The company prefers managed services over self-managed software.",
        ],
        [
            (
                "Which service should Litware use to run its containers?",
                "Google Kubernetes Engine",
                [
                    "Compute Engine managed instance groups",
                    "App Engine standard",
                    "Cloud Functions",
                ],
            ),
            (
                "Where should Litware store the database passwords?",
                "Secret Manager",
                [
                    "A ConfigMap",
                    "Cloud Storage with public access",
                    "Environment files in the repository",
                ],
            ),
            (
                "Which service should Litware use to build the containers on every commit?",
                "Cloud Build",
                ["Cloud Scheduler", "Cloud Composer", "Dataflow"],
            ),
            (
                "How should Litware find which service causes an outage?",
                "Use Cloud Trace and Cloud Logging",
                ["Increase the node count", "Use Cloud CDN", "Restart all pods nightly"],
            ),
        ],
    ),
    (
        "Woodgrove",
        [
            "Overview. Woodgrove Bank is a regional bank with 120 branches. It runs its core "
            "banking system on premises and uses Microsoft 365 for email and collaboration. "
            "The bank is regulated and must keep customer records inside the country.",
            "Identity environment. The bank has an on-premises Active Directory domain named "
            "woodgrovebank.com with 4,000 users. Password hash synchronization is not allowed "
            "by the security team. Branch employees share kiosks to look up customer "
            "accounts, and contractors from an outsourcing partner need access to a "
            "reporting portal.",
            "Requirements. The bank requires that users sign in to cloud applications with "
            "their on-premises passwords, that administrators use just-in-time elevation, "
            "that contractors are invited as guests and reviewed every quarter, and that "
            "sign-ins from unknown countries are blocked. All data must be stored in one "
            "region and encrypted with keys that the bank controls.",
        ],
        [
            (
                "Which authentication method meets the sign-in requirement?",
                "Pass-through authentication",
                [
                    "Password hash synchronization",
                    "Cloud-only accounts",
                    "Certificate-based authentication only",
                ],
            ),
            (
                "What should you use to provide just-in-time elevation for administrators?",
                "Privileged Identity Management",
                ["Identity Protection", "Self-service password reset", "Azure AD Connect Health"],
            ),
            (
                "How should the quarterly review of contractor access be implemented?",
                "Access reviews",
                ["Dynamic groups", "Terms of use", "Named locations"],
            ),
            (
                "Which feature should you use to block sign-ins from unknown countries?",
                "A Conditional Access policy with named locations",
                ["A network security group", "Azure Firewall rules", "Password protection"],
            ),
        ],
    ),
    (
        "Tailspin",
        [
            "Overview. Tailspin Toys makes connected toys that send telemetry to the cloud. "
            "About 800,000 toys are active, each sending a small message every minute. The "
            "company also runs a public website and a mobile app for parents.",
            "Existing environment. Telemetry is received by a custom service on virtual "
            "machines and written to a relational database, which is near its capacity. "
            "Marketing analysts export data to spreadsheets once a week. The mobile app calls "
            "an API hosted on the same virtual machines.",
            "Requirements. Tailspin needs to ingest telemetry at scale, keep raw telemetry "
            "for two years at low cost, give analysts near real-time dashboards, protect the "
            "API with throttling and keys, and notify parents when a toy's battery is low. "
            "The solution must use platform services where possible and minimize cost.",
        ],
        [
            (
                "Which service should receive the telemetry from the toys?",
                "Azure IoT Hub",
                ["Azure Queue Storage", "Azure Relay", "Azure Notification Hubs"],
            ),
            (
                "Where should the raw telemetry be kept for two years?",
                "Azure Data Lake Storage in the Cool tier",
                [
                    "Azure SQL Database Hyperscale",
                    "Azure Cache for Redis",
                    "Premium SSD managed disks",
                ],
            ),
            (
                "What should you use to protect the API with throttling and keys?",
                "Azure API Management",
                ["Azure Traffic Manager", "Azure DNS", "Azure Private Link"],
            ),
            (
                "Which service should send the low-battery messages to parents' phones?",
                "Azure Notification Hubs",
                [
                    "Azure Event Grid topics only",
                    "Azure Monitor action groups",
                    "Azure Service Bus queues",
                ],
            ),
        ],
    ),
]


# -- variants (the kinds of change that make a duplicate or a sibling) -----------------------

KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def typo(rng: random.Random, text: str, count: int = 1) -> str:
    """Character slips in words of four letters or more (a re-post typed again)."""
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha() and w.islower()]
    for i in rng.sample(spots, min(count, len(spots))):
        w = words[i]
        at = rng.randrange(1, len(w) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            w = w[:at] + w[at + 1] + w[at] + w[at + 2 :]  # swapped letters
        elif kind == 1:
            w = w[:at] + w[at + 1 :]  # dropped letter
        else:
            w = w[:at] + rng.choice(KEYBOARD) + w[at:]  # extra letter
        words[i] = w
    return " ".join(words)


def punctuation(rng: random.Random, text: str) -> str:
    """Changed punctuation, spacing and case, as a re-post formatted by another tool."""
    out = text.replace(", ", " , " if rng.random() < 0.5 else "; ").replace("?", " ?")
    if rng.random() < 0.5:
        out = out.replace(". ", ".  ")
    if rng.random() < 0.5:
        out = out.replace("'", "’")
    return (
        out[:1].lower() + out[1:]
        if rng.random() < 0.3
        else out.upper()
        if rng.random() < 0.1
        else out
    )


def with_exhibit(text: str, n: int, path: str) -> str:
    return f"{text}\n\n![Question {n}]({path})"


# -- the bank ---------------------------------------------------------------------------------


def build(seed: int = 7) -> Bank:
    rng = random.Random(seed)
    bank = Bank()
    n = 0

    def next_id(prefix: str) -> str:
        nonlocal n
        n += 1
        return f"{prefix}-{n:03d}"

    # standalone questions and their true duplicates
    bases: list[Q] = []
    for stem, key, wrongs in BASES:
        options = [key, *wrongs]
        rng.shuffle(options)
        bases.append(bank.add("general.yaml", Q(next_id("gen"), stem, options, options.index(key))))
    for i, base in enumerate(bases):
        kind = ("typo", "reordered", "punctuation", "typo+reordered", "none")[i % 5]
        if kind == "none" and i % 10 == 4:
            continue  # some bases have no re-post
        text, options = base.text, list(base.options)
        key_text = base.options[base.key]  # type: ignore[index]
        if "typo" in kind:
            text = typo(rng, text, 1 + (i % 3 == 0))
        if "reordered" in kind:
            while options == base.options:
                rng.shuffle(options)
        if kind == "punctuation":
            text = punctuation(rng, text)
        if kind == "none":  # re-posted with full stops after the options
            options = [o if o.endswith(".") else o + "." for o in options]
            key_text = options[base.key]  # type: ignore[index]
        dup = bank.add("reposts.yaml", Q(next_id("rep"), text, options, options.index(key_text)))
        bank.label(base, dup, "duplicate", f"re-posted ({kind})")

    # a changed number or negation in a standalone question: a different question
    numbered = [
        (
            "A VPC has the CIDR block 10.0.0.0/{N}. How many IP addresses does it contain?",
            {16: "65,536", 24: "256"},
            ["1,024", "4,096"],
        ),
        (
            "A table has {N} provisioned read capacity units and items of 4 KB. How many strongly "
            "consistent reads per second can it serve?",
            {10: "10", 20: "20"},
            ["5", "40"],
        ),
        (
            "A service promises {N} percent availability. Which monthly downtime does it allow?",
            {99: "About 7 hours", 95: "About 36 hours"},
            ["About 4 minutes", "About 43 seconds"],
        ),
        (
            "A queue keeps messages for {N} days by default. Which service is it?",
            {4: "Amazon SQS standard queue", 14: "Amazon SQS with maximum retention"},
            ["Amazon SNS", "Amazon MQ"],
        ),
        (
            "A RAID array of {N} disks of 2 TB in RAID 5 gives how much usable capacity?",
            {4: "6 TB", 6: "10 TB"},
            ["8 TB", "12 TB"],
        ),
    ]
    for template, keys, wrongs in numbered:
        pair = []
        for num, key in keys.items():
            others = [k for k in keys.values() if k != key]
            options = [key, *others, *wrongs]
            rng.shuffle(options)
            pair.append(
                bank.add(
                    "numbers.yaml",
                    Q(
                        next_id("num"),
                        template.replace("{N}", str(num)),
                        options,
                        options.index(key),
                    ),
                )
            )
        bank.label(pair[0], pair[1], "sibling", "a number differs, and with it the answer")
    negated = [
        (
            "Which of the following services is a managed relational database?",
            "Which of the following services is NOT a managed relational database?",
            ["Amazon RDS", "Amazon Aurora", "Amazon DynamoDB", "Azure SQL Database"],
            0,
            2,
        ),
        (
            "Which statement about availability zones is true?",
            "Which statement about availability zones is false?",
            [
                "They are separate datacenters in one region",
                "They share one power supply",
                "They are connected by low-latency links",
                "A region has at least one",
            ],
            0,
            1,
        ),
        (
            "Which storage type is the most durable for backups?",
            "Which storage type is the least durable for backups?",
            [
                "Geo-redundant object storage",
                "Instance store",
                "Locally redundant storage",
                "A USB disk",
            ],
            0,
            1,
        ),
    ]
    for a_text, b_text, options, ka, kb in negated:
        qa = bank.add("numbers.yaml", Q(next_id("neg"), a_text, list(options), ka))
        qb = bank.add("numbers.yaml", Q(next_id("neg"), b_text, list(options), kb))
        bank.label(qa, qb, "sibling", "a negation or qualifier differs")

    # swapped key terms
    for template, keys, wrongs, terms in SWAPS:
        pair = []
        for term, key in zip(terms, keys, strict=True):
            options = [key, *wrongs]
            if keys[0] != keys[1] and rng.random() < 0.5:  # the other term's answer offered too
                options.append(next(k for k in keys if k != key))
            rng.shuffle(options)
            pair.append(
                bank.add(
                    "swaps.yaml",
                    Q(next_id("swp"), template.replace("{T}", term), options, options.index(key)),
                )
            )
        if tuple(terms) in INCIDENTAL:
            # a reviewer reads these as one question: the swapped word is not what is asked
            bank.label(
                pair[0],
                pair[1],
                "duplicate",
                f"incidental word swapped ({terms[0]} / {terms[1]}), same options and key",
            )
        else:
            bank.label(pair[0], pair[1], "sibling", f"key term swapped ({terms[0]} / {terms[1]})")

    # different keys, neither offered in the other (same stem, other option lists)
    diffkeys = [
        (
            "You need to recommend a solution to store application logs for analysis. What should you recommend?",
            ("Azure Monitor Logs", "Azure Data Explorer"),
            ["Azure Table Storage", "Azure Files", "Azure Queue Storage"],
        ),
        (
            "Which service can you use to automate the deployment of resources?",
            ("Azure Resource Manager templates", "Bicep files"),
            ["Azure Advisor", "Azure Monitor", "Microsoft Defender for Cloud"],
        ),
        (
            "Which of the following is a valid way to reduce compute costs?",
            ("Buy reserved instances", "Use spot instances for fault-tolerant jobs"),
            ["Enable MFA", "Add more tags", "Create a VPN"],
        ),
        (
            "What should you use to encrypt data at rest in a storage account?",
            ("Microsoft-managed keys", "Customer-managed keys in Key Vault"),
            ["TLS 1.2", "A network security group", "Azure Bastion"],
        ),
        (
            "Which service helps you protect a web application from common exploits?",
            ("AWS WAF", "Azure Web Application Firewall"),
            ["Amazon Inspector", "AWS Artifact", "Azure Blueprints"],
        ),
        (
            "Which tool can you use to estimate the cost of a planned deployment?",
            ("The Azure pricing calculator", "The AWS Pricing Calculator"),
            ["Azure Monitor", "AWS X-Ray", "Service Health"],
        ),
        (
            "Which service provides a managed Git repository?",
            ("Azure Repos", "AWS CodeCommit"),
            ["Azure Artifacts", "AWS CodeDeploy", "Azure Boards"],
        ),
        (
            "You need a service that runs scheduled scripts without servers. What should you use?",
            ("Azure Automation runbooks", "Amazon EventBridge Scheduler with Lambda"),
            ["Azure DevTest Labs", "Amazon Lightsail", "Azure Virtual Desktop"],
        ),
        (
            "Which option provides a dedicated physical server for licensing requirements?",
            ("Azure Dedicated Host", "Amazon EC2 Dedicated Hosts"),
            ["Spot VMs", "Burstable instances", "Azure Container Instances"],
        ),
        (
            "Which service stores container images?",
            ("Azure Container Registry", "Amazon ECR"),
            ["Azure Container Apps", "Amazon ECS", "AWS App Runner"],
        ),
        (
            "Which feature lets you recover a deleted blob within a retention period?",
            ("Soft delete", "Blob versioning"),
            ["Access tiers", "Static website hosting", "Change feed"],
        ),
        (
            "What should you use to give an application an identity without storing credentials?",
            ("A managed identity", "An IAM role for the instance"),
            ["A shared key", "A SAS token in code", "A local account"],
        ),
        (
            "Which service lets you query logs with a SQL-like language?",
            ("Log Analytics with KQL", "CloudWatch Logs Insights"),
            ["Azure Service Bus", "Amazon SQS", "AWS Glue"],
        ),
        (
            "Which product provides a virtual desktop in the cloud?",
            ("Azure Virtual Desktop", "Amazon WorkSpaces"),
            [
                "Azure Lab Services",
                "Amazon AppStream 2.0 fleets only",
                "Windows 365 Business Basic",
            ],
        ),
        (
            "What can you use to run a relational database without managing the operating system?",
            ("Azure SQL Database", "Amazon RDS"),
            ["SQL Server on Azure VMs", "MySQL on EC2", "A container with PostgreSQL"],
        ),
    ]
    for stem, (ka, kb), wrongs in diffkeys:
        opts_a = [ka, *wrongs]
        opts_b = [kb, *wrongs]
        rng.shuffle(opts_a)
        rng.shuffle(opts_b)
        qa = bank.add("variants.yaml", Q(next_id("var"), stem, opts_a, opts_a.index(ka)))
        stem_b = stem if rng.random() < 0.6 else typo(rng, stem)
        qb = bank.add("variants.yaml", Q(next_id("var"), stem_b, opts_b, opts_b.index(kb)))
        bank.label(qa, qb, "sibling", "different keys, neither offered in the other")

    # the same stem keyed differently: one's key offered, unmarked, in the other
    conflicts = [
        (
            "Which Azure service provides a managed Apache Spark environment for data engineering?",
            ["Azure Databricks", "Azure Functions", "Azure Logic Apps", "Azure Bastion"],
            0,
            1,
        ),
        (
            "Which AWS service is a petabyte-scale data warehouse?",
            ["Amazon Redshift", "Amazon Aurora", "Amazon DynamoDB", "Amazon Neptune"],
            0,
            1,
        ),
        (
            "What is the default maximum execution time of an AWS Lambda function?",
            ["15 minutes", "5 minutes", "1 hour", "24 hours"],
            0,
            1,
        ),
        (
            "Which protocol is used to transfer files securely over SSH?",
            ["SFTP", "FTP", "TFTP", "SMB"],
            0,
            1,
        ),
        (
            "Which Azure AD edition is required for Conditional Access?",
            ["Azure AD Premium P1", "Azure AD Free", "Microsoft 365 Apps", "Azure AD B2C"],
            0,
            1,
        ),
        (
            "Which Google Cloud service is a globally consistent relational database?",
            ["Cloud Spanner", "Cloud SQL", "Memorystore", "Bigtable"],
            0,
            1,
        ),
        (
            "Which HTTP status code means that the requested resource was not found?",
            ["404", "403", "500", "301"],
            0,
            1,
        ),
        (
            "Which Kubernetes component schedules pods onto nodes?",
            ["kube-scheduler", "kubelet", "kube-proxy", "etcd"],
            0,
            1,
        ),
        (
            "Which storage redundancy copies data to a secondary region?",
            [
                "Geo-redundant storage",
                "Locally redundant storage",
                "Zone-redundant storage",
                "Premium storage",
            ],
            0,
            1,
        ),
        (
            "Which command shows the IP configuration of a Windows computer?",
            ["ipconfig", "ifconfig", "netstat", "tracert"],
            0,
            1,
        ),
    ]
    for i, (stem, options, ka, kb) in enumerate(conflicts):
        qa = bank.add("conflicts.yaml", Q(next_id("con"), stem, list(options), ka))
        opts_b = list(options)
        if i % 2:
            rng.shuffle(opts_b)
        stem_b = stem if i % 3 else typo(rng, stem)
        qb = bank.add(
            "conflicts.yaml", Q(next_id("con"), stem_b, opts_b, opts_b.index(options[kb]))
        )
        bank.label(qa, qb, "conflict", "same question, the other key offered unmarked")

    # exhibits: re-posted under another exhibit name or path; siblings with other exhibits
    exhibits = [
        (
            "You have the network topology shown in the exhibit. Which virtual machines can "
            "communicate with VM1 over the peering?",
            "VM2 and VM3 only",
            ["VM2 only", "VM3 only", "VM2, VM3 and VM4"],
        ),
        (
            "Refer to the exhibit, which shows the IAM policy attached to a user. Which action "
            "can the user perform on the bucket named reports?",
            "List the objects",
            ["Delete the bucket", "Change the bucket policy", "Upload objects"],
        ),
        (
            "You have the Azure Resource Manager template shown in the exhibit. How many storage "
            "accounts does the template deploy when it runs?",
            "Three",
            ["One", "Two", "Four"],
        ),
        (
            "The exhibit shows the route table of Subnet1. Where is traffic to 0.0.0.0/0 sent?",
            "To the virtual appliance at 10.0.2.4",
            ["To the internet", "To the VPN gateway", "It is dropped"],
        ),
        (
            "You review the metrics chart shown in the exhibit. Which time did the CPU usage of "
            "the web server first exceed its alert threshold?",
            "At 10:15",
            ["At 09:45", "At 11:00", "At 12:30"],
        ),
        (
            "Based on the load balancer rules shown in the exhibit, which backend pool receives "
            "traffic on port 8080?",
            "Pool2",
            ["Pool1", "Both pools", "Neither pool"],
        ),
        (
            "The exhibit shows the output of a command run on Server1. Which DNS server does "
            "Server1 use?",
            "192.168.1.10",
            ["8.8.8.8", "192.168.1.1", "10.0.0.4"],
        ),
        (
            "The exhibit shows a conditional access policy. Which users must use multi-factor "
            "authentication when they sign in?",
            "Users in Group1 only",
            ["All users", "Users in Group2 only", "No users"],
        ),
        (
            "You have the Kubernetes manifest shown in the exhibit. How many pods run after you "
            "apply the manifest?",
            "Four",
            ["One", "Two", "Eight"],
        ),
        (
            "The exhibit shows the security group rules of an instance. Which traffic can reach "
            "the instance from the internet?",
            "HTTPS only",
            ["SSH and HTTPS", "All traffic", "No traffic"],
        ),
        (
            "You review the cost analysis shown in the exhibit. Which resource group has the "
            "highest cost in March?",
            "RG-Prod",
            ["RG-Dev", "RG-Test", "RG-Shared"],
        ),
        (
            "The exhibit shows the sign-in logs for User1. Why was the last sign-in blocked?",
            "The sign-in came from a blocked location",
            ["The password expired", "MFA was not registered", "The account was deleted"],
        ),
    ]
    for i, (stem, key, wrongs) in enumerate(exhibits):
        options = [key, *wrongs]
        rng.shuffle(options)
        num_a = 100 + 7 * i
        qa = bank.add(
            "exhibits.yaml",
            Q(
                next_id("exh"),
                with_exhibit(stem, num_a, f"images/question-{num_a}.png"),
                options,
                options.index(key),
            ),
        )
        num_b = num_a + 4 + i
        path_b = f"images/q{num_b}_exhibit.jpg" if i % 2 else f"images/question-{num_b}.png"
        text_b = stem if i % 3 else typo(rng, stem)
        opts_b = list(options)
        if i % 4 == 1:
            rng.shuffle(opts_b)
        qb = bank.add(
            "exhibits.yaml",
            Q(next_id("exh"), with_exhibit(text_b, num_b, path_b), opts_b, opts_b.index(key)),
        )
        bank.label(qa, qb, "duplicate", "exhibit re-posted under another name")
    generic = "Refer to the exhibit. Which statement is true?"
    generic_sets = [
        (
            [
                "VM1 can reach VM2",
                "VM1 cannot reach VM2",
                "VM2 can reach the internet",
                "VM1 has no public IP",
            ],
            0,
        ),
        (
            [
                "The policy allows s3:GetObject",
                "The policy denies all actions",
                "The policy applies to EC2",
                "The policy is invalid",
            ],
            0,
        ),
        (
            [
                "The pipeline has two stages",
                "The pipeline deploys to production",
                "The build uses Windows agents",
                "The pipeline has no triggers",
            ],
            1,
        ),
    ]
    gen_qs = []
    for i, (options, key) in enumerate(generic_sets):
        num = 300 + 11 * i
        gen_qs.append(
            bank.add(
                "exhibits.yaml",
                Q(
                    next_id("exh"),
                    with_exhibit(generic, num, f"images/question-{num}.png"),
                    options,
                    key,
                ),
            )
        )
    for a in range(len(gen_qs)):
        for b in range(a + 1, len(gen_qs)):
            bank.label(gen_qs[a], gen_qs[b], "sibling", "same generic ask about different exhibits")

    # series: members are siblings; a few members re-posted (duplicates)
    for f, (scenario, solutions) in enumerate(SERIES):
        members = []
        for solution, meets in solutions:
            text = (
                f"{SERIES_INTRO}\n\n{scenario}\n\nSolution: {solution}.\n\nDoes this meet the goal?"
            )
            options = ["Yes", "No"]
            members.append(
                bank.add(
                    f"series-{f + 1:02d}.yaml", Q(next_id("ser"), text, options, 0 if meets else 1)
                )
            )
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                bank.label(
                    members[a], members[b], "sibling", "series items: another proposed solution"
                )
        if f % 2 == 0:  # one member posted again, typed again
            src = members[f % len(members)]
            text = typo(rng, src.text, 2)
            dup = bank.add(
                f"series-{f + 1:02d}.yaml", Q(next_id("ser"), text, ["Yes", "No"], src.key)
            )
            bank.label(src, dup, "duplicate", "series item re-posted")
            for m in members:
                if m is not src:
                    bank.label(m, dup, "sibling", "series items: another proposed solution")
        if f == 3:  # the same item keyed the other way
            src = members[0]
            bad = bank.add(
                f"series-{f + 1:02d}.yaml", Q(next_id("ser"), src.text, ["Yes", "No"], 1 - src.key)
            )  # type: ignore[operator]
            bank.label(src, bad, "conflict", "series item re-posted with the other answer")
            for m in members[1:]:
                bank.label(m, bad, "sibling", "series items: another proposed solution")

    # case studies: a long shared case, different short asks; a few asks posted twice
    for c, (name, paragraphs, asks) in enumerate(CASES):
        case = f"Case study: {name}\n\n" + "\n\n".join(paragraphs)
        members = []
        for ask, key, wrongs in asks:
            options = [key, *wrongs]
            rng.shuffle(options)
            members.append(
                bank.add(
                    f"case-{name.lower()}.yaml",
                    Q(next_id("cas"), f"{case}\n\n{ask}", options, options.index(key)),
                )
            )
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                bank.label(members[a], members[b], "sibling", "case study: another ask")
        if c < 3:
            src = members[c]
            ask, key, wrongs = asks[c]
            options = list(src.options)
            rng.shuffle(options)
            dup = bank.add(
                f"case-{name.lower()}.yaml",
                Q(next_id("cas"), f"{case}\n\n{typo(rng, ask)}", options, options.index(key)),
            )
            bank.label(src, dup, "duplicate", "case-study ask re-posted")
            for m in members:
                if m is not src:
                    bank.label(m, dup, "sibling", "case study: another ask")
    return bank


# -- writing ----------------------------------------------------------------------------------


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(s: str) -> list[str]:
    if "\n" not in s and len(s) < 90:
        return [f"    text: {_q(s)}"]
    out = ["    text: |-"]
    for line in s.split("\n"):
        out.append(f"      {line}" if line else "")
    return out


def question_yaml(q: Q) -> list[str]:
    qtype = "single" if len(q.keys) == 1 else "multi"
    lines = [f"  - id: {q.id}", f"    type: {qtype}", *_text(q.text), "    options:"]
    for i, o in enumerate(q.options):
        if i in q.keys:
            lines += [f"      - text: {_q(o)}", "        correct: true"]
        else:
            lines.append(f"      - {_q(o)}")
    return lines


def write(root: Path = FIXTURE, seed: int = 7) -> dict[str, Any]:
    bank = build(seed)
    folder = root / "bank"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    (folder / "qbank.yaml").write_text(
        "# A labelled bank in real certification-bank styles (bench/real_style.py writes it;\n"
        "# labels.yaml says which pairs are duplicates, siblings or conflicts).\n"
        "id: dedup-real-style\ntitle: Duplicate detection, real question styles\n",
        encoding="utf-8",
    )
    count = 0
    for name, qs in bank.files.items():
        lines = [f"# {name[:-5]} (bench/real_style.py)", "questions:"]
        for q in qs:
            lines += question_yaml(q)
            count += 1
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    labels = ["# pair → duplicate | sibling | conflict (pairs not listed are unrelated)", "pairs:"]
    for a, b, label, why in bank.labels:
        labels.append(f"  - [{a}, {b}, {label}]  # {why}")
    (root / "labels.yaml").write_text("\n".join(labels) + "\n", encoding="utf-8")
    return {"questions": count, "pairs": len(bank.labels)}


if __name__ == "__main__":
    print(write())
