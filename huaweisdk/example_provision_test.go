package huaweisdk_test

import (
	"context"
	"fmt"
	"time"

	gaussdb "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3"
	gaussdbmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"
	rds "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/rds/v3"
	rdsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/rds/v3/model"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/huaweisdk"
)

// Create a TaurusDB instance with the SDK, wait for its job, then resize
// its flavor and wait again: the SDK's answer carries the job id, the
// Getter waits on it through the same SDK client.
func Example_taurusDBCreateAndResize() {
	api := startProvisioningAPI(taurusjob.ServiceTaurusDB) // a fake of the service; really: taurusjob.ServiceTaurusDB.Endpoint(region)
	defer api.Close()

	hc, err := gaussdb.GaussDBClientBuilder().
		WithEndpoints([]string{api.URL}).
		WithCredential(exampleAuth()).
		WithHttpConfig(exampleHTTP(api)).
		SafeBuild()
	if err != nil {
		fmt.Println(err)
		return
	}
	client := gaussdb.NewGaussDBClient(hc)
	getter, err := huaweisdk.NewGetter(client)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Short intervals because the fake's jobs last 300 ms; real ones take minutes.
	waiter, err := taurusjob.NewWaiter(getter, taurusjob.WithTimeout(time.Hour),
		taurusjob.WithInterval(50*time.Millisecond, 250*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	created, err := client.CreateGaussMySqlInstance(&gaussdbmodel.CreateGaussMySqlInstanceRequest{
		Body: &gaussdbmodel.MysqlInstanceRequest{
			ChargeInfo:           &gaussdbmodel.MysqlChargeInfo{ChargeMode: gaussdbmodel.GetMysqlChargeInfoChargeModeEnum().POST_PAID},
			Region:               "cn-north-4",
			Name:                 "orders-db",
			Datastore:            &gaussdbmodel.MysqlDatastoreInReq{Type: "gaussdb-mysql", Version: "8.0"},
			Mode:                 "Cluster",
			FlavorRef:            "gaussdb.mysql.xlarge.x86.4",
			VpcId:                "3cedfc54-b105-4652-a4e0-847b7c5c3d7c",
			SubnetId:             "c1cfa53c-65d3-431e-8552-326bf310c7ad",
			Password:             "(from your secret store)",
			BackupStrategy:       &gaussdbmodel.MysqlBackupStrategy{StartTime: "08:00-09:00"},
			AvailabilityZoneMode: "single",
			SlaveCount:           1,
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := waiter.Wait(ctx, *created.JobId)
	if err != nil {
		fmt.Println(err) // err says why: fail_reason, the API's error, or the timeout
		return
	}
	fmt.Println(created.Instance.Name+":", job.Name, job.Status)

	resized, err := client.ChangeGaussMySqlInstanceSpecification(&gaussdbmodel.ChangeGaussMySqlInstanceSpecificationRequest{
		InstanceId: created.Instance.Id,
		Body: &gaussdbmodel.MysqlChangeSpecificationRequest{
			ResizeFlavor: &gaussdbmodel.MysqlResizeFlavor{SpecCode: "gaussdb.mysql.2xlarge.x86.4"},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err = waiter.Wait(ctx, *resized.JobId)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(created.Instance.Name+":", job.Name, job.Status)
	// Output:
	// orders-db: CreateGaussDBforMySQLInstance Completed
	// orders-db: ResizeGaussDBforMySQLFlavor Completed
}

// Create an RDS for MySQL instance, then two read replicas of it in one
// call (whose answer joins their job ids with commas), then resize the
// primary's flavor, waiting for each job with the RDS Getter. WaitAll
// takes the comma-joined ids as they come and waits for every one.
func Example_rdsCreateReplicasAndResize() {
	api := startProvisioningAPI(taurusjob.ServiceRDS) // really: taurusjob.ServiceRDS.Endpoint(region)
	defer api.Close()

	hc, err := rds.RdsClientBuilder().
		WithEndpoints([]string{api.URL}).
		WithCredential(exampleAuth()).
		WithHttpConfig(exampleHTTP(api)).
		SafeBuild()
	if err != nil {
		fmt.Println(err)
		return
	}
	client := rds.NewRdsClient(hc)
	getter, err := huaweisdk.NewRDSGetter(client)
	if err != nil {
		fmt.Println(err)
		return
	}
	waiter, err := taurusjob.NewWaiter(getter, taurusjob.WithTimeout(time.Hour),
		taurusjob.WithInterval(50*time.Millisecond, 250*time.Millisecond)) // short: the fake's jobs last 300 ms
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	mysql := &rdsmodel.Datastore{Type: rdsmodel.GetDatastoreTypeEnum().MY_SQL, Version: "8.0"}
	created, err := client.CreateInstance(&rdsmodel.CreateInstanceRequest{Body: &rdsmodel.InstanceRequest{
		Name:             "orders-mysql",
		Datastore:        mysql,
		FlavorRef:        "rds.mysql.n1.large.2",
		Volume:           &rdsmodel.Volume{Type: rdsmodel.GetVolumeTypeEnum().CLOUDSSD, Size: 100},
		Region:           "cn-north-4",
		AvailabilityZone: "cn-north-4a",
		VpcId:            "3cedfc54-b105-4652-a4e0-847b7c5c3d7c",
		SubnetId:         "c1cfa53c-65d3-431e-8552-326bf310c7ad",
		SecurityGroupId:  "a1a6a5d8-6c8c-4b7d-9d0e-2b1c3d4e5f60",
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := waiter.Wait(ctx, *created.JobId)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(created.Instance.Name+":", job.Name, job.Status)

	primary := *created.Instance.Id
	count := int32(2)
	replicas, err := client.CreateInstance(&rdsmodel.CreateInstanceRequest{Body: &rdsmodel.InstanceRequest{
		Name:             "orders-mysql-ro",
		Datastore:        mysql,
		FlavorRef:        "rds.mysql.n1.large.2.rr",
		Volume:           &rdsmodel.Volume{Type: rdsmodel.GetVolumeTypeEnum().CLOUDSSD, Size: 100},
		Region:           "cn-north-4",
		AvailabilityZone: "cn-north-4a",
		ReplicaOfId:      &primary,
		Count:            &count,
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	results := waiter.WaitAll(ctx, *replicas.JobId) // "id1,id2": one Result per id, in order
	for i, r := range results {
		if r.Err != nil {
			fmt.Println(r.JobID, r.Err)
			continue
		}
		fmt.Printf("replica %d: %s %s\n", i+1, r.Job.Name, r.Job.Status)
	}

	resized, err := client.StartResizeFlavorAction(&rdsmodel.StartResizeFlavorActionRequest{
		InstanceId: primary,
		Body:       &rdsmodel.ResizeFlavorRequest{ResizeFlavor: &rdsmodel.ResizeFlavorObject{SpecCode: "rds.mysql.n1.xlarge.2"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err = waiter.Wait(ctx, *resized.JobId)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(created.Instance.Name+":", job.Name, job.Status)
	// Output:
	// orders-mysql: CreateMysqlInstance Completed
	// replica 1: CreateMysqlReadReplica Completed
	// replica 2: CreateMysqlReadReplica Completed
	// orders-mysql: ResizeFlavor Completed
}
