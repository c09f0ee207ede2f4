/*
*This is auto generated from the ControlManifest.Input.xml file
*/

// Define IInputs and IOutputs Type. They should match with ControlManifest.
export interface IInputs {
    phase: ComponentFramework.PropertyTypes.OptionSetProperty;
    quoteSentOn: ComponentFramework.PropertyTypes.DateTimeProperty;
    confirmedOn: ComponentFramework.PropertyTypes.DateTimeProperty;
    arrival: ComponentFramework.PropertyTypes.DateTimeProperty;
    departure: ComponentFramework.PropertyTypes.DateTimeProperty;
    depositDueOn: ComponentFramework.PropertyTypes.DateTimeProperty;
    depositReceivedOn: ComponentFramework.PropertyTypes.DateTimeProperty;
    roomingListDueOn: ComponentFramework.PropertyTypes.DateTimeProperty;
    roomingListReceivedOn: ComponentFramework.PropertyTypes.DateTimeProperty;
    optionExpiresOn: ComponentFramework.PropertyTypes.DateTimeProperty;
    policy: ComponentFramework.PropertyTypes.LookupProperty;
}
export interface IOutputs {
    phase?: number;
    quoteSentOn?: Date;
    confirmedOn?: Date;
    arrival?: Date;
    departure?: Date;
    depositDueOn?: Date;
    depositReceivedOn?: Date;
    roomingListDueOn?: Date;
    roomingListReceivedOn?: Date;
    optionExpiresOn?: Date;
    policy?: ComponentFramework.LookupValue[];
}
