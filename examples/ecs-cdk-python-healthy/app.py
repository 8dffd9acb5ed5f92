from aws_cdk import App, Duration, Stack
from aws_cdk import aws_ec2 as ec2, aws_ecs as ecs, aws_ecs_patterns as ecs_patterns


class OrdersStack(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        vpc = ec2.Vpc(self, "Vpc", max_azs=2)
        cluster = ecs.Cluster(self, "Cluster", vpc=vpc)
        ecs_patterns.ApplicationLoadBalancedFargateService(
            self, "Orders",
            cluster=cluster,
            cpu=512,
            memory_limit_mib=1024,
            desired_count=2,
            health_check_grace_period=Duration.seconds(120),
            task_image_options=ecs_patterns.ApplicationLoadBalancedTaskImageOptions(
                image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/python:3.12-slim"),
                container_port=8000,
            ),
        )


app = App()
OrdersStack(app, "Orders")
app.synth()
